#include "core/api_request.hpp"

#include <openssl/evp.h>
#include <strings.h>

#include <cctype>
#include <cstdint>
#include <ctime>

#include "core/signature.hpp"

namespace hookshot {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

result<std::string> decode_component(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= s.size() || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0)
        return status::invalid_argument("malformed %-escape in request parameters");
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

result<api_params> parse_api_params(std::string_view text) {
  api_params out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('&', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view pair = text.substr(pos, end - pos);
    pos = end + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = decode_component(pair.substr(0, eq));
    auto value = decode_component(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name) return name.error();
    if (!value) return value.error();
    if (name->empty()) continue;
    // A repeated name (in any case) is ambiguous: which value did the client sign, and which
    // would another server use? Refuse it.
    for (const auto& [seen, v] : out)
      if (strcasecmp(seen.c_str(), name->c_str()) == 0)
        return status::invalid_argument("Parameter " + *name + " is given more than once");
    out[*name] = *value;
  }
  return out;
}

std::string cloudstack_encode(std::string_view value, bool keep_tilde) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size() * 3);
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '*' || (keep_tilde && c == '~')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string signed_text(const api_params& params, bool keep_tilde) {
  std::string text;
  for (const auto& [name, value] : params) {  // std::map: sorted by name
    if (name == "signature") continue;
    if (!text.empty()) text += '&';
    text += name + "=" + cloudstack_encode(value, keep_tilde);
  }
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string api_signature(const api_params& params, std::string_view secret, bool keep_tilde) {
  std::string text = signed_text(params, keep_tilde);
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA1", nullptr, secret.data(), secret.size(),
                 reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, sizeof mac,
                 &len))
    return {};
  return base64_encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

bool verify_api_signature(const api_params& params, std::string_view secret,
                          const std::string& given) {
  if (given.empty()) return false;
  if (constant_time_equals(api_signature(params, secret), given)) return true;
  return constant_time_equals(api_signature(params, secret, true), given);
}

result<millis> parse_expires(const std::string& text) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return status::invalid_argument("expires: '" + text + "' is not yyyy-MM-dd'T'HH:mm:ssZ");
  long offset_s = 0;
  std::string zone(rest);
  if (zone == "Z" || zone.empty()) {
    offset_s = 0;
  } else if ((zone[0] == '+' || zone[0] == '-') && (zone.size() == 5 || zone.size() == 6)) {
    std::string digits = zone.substr(1);
    if (digits.size() == 5 && digits[2] == ':') digits.erase(2, 1);
    if (digits.size() != 4 || !std::isdigit(static_cast<unsigned char>(digits[0])) ||
        !std::isdigit(static_cast<unsigned char>(digits[1])) ||
        !std::isdigit(static_cast<unsigned char>(digits[2])) ||
        !std::isdigit(static_cast<unsigned char>(digits[3])))
      return status::invalid_argument("expires: bad time zone in '" + text + "'");
    offset_s = std::stol(digits.substr(0, 2)) * 3600 + std::stol(digits.substr(2)) * 60;
    if (zone[0] == '-') offset_s = -offset_s;
  } else {
    return status::invalid_argument("expires: bad time zone in '" + text + "'");
  }
  return (static_cast<millis>(timegm(&tm)) - offset_s) * 1000;
}

result<millis> parse_api_date(const std::string& text) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
  if (!rest || *rest) {
    tm = std::tm{};
    rest = strptime(text.c_str(), "%Y-%m-%d", &tm);
  }
  if (!rest || *rest) return status::invalid_argument("'" + text + "' is not yyyy-MM-dd[ HH:mm:ss]");
  return static_cast<millis>(timegm(&tm)) * 1000;
}

std::string param(const api_params& params, const std::string& name) {
  for (const auto& [n, v] : params)
    if (strcasecmp(n.c_str(), name.c_str()) == 0) return v;
  return {};
}

bool has_param(const api_params& params, const std::string& name) {
  for (const auto& [n, v] : params)
    if (strcasecmp(n.c_str(), name.c_str()) == 0) return true;
  return false;
}

bool is_valid_utf8(std::string_view text) {
  size_t i = 0, n = text.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (len == 0 || c > 0xf4 || i + len > n) return false;
    std::uint32_t cp = c & (0x7f >> len);
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static const std::uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

size_t utf8_length(std::string_view text) {
  size_t count = 0;
  for (char ch : text)
    if ((static_cast<unsigned char>(ch) & 0xc0) != 0x80) ++count;
  return count;
}

}  // namespace hookshot
