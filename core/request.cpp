#include "core/request.hpp"

#include <cstdint>
#include <cstring>

namespace hookshot {

header_list::header_list(std::initializer_list<field> fields) {
  for (const auto& [name, value] : fields) add(name, value);
}

void header_list::add(std::string_view name, std::string_view value, std::string_view more) {
  if (name.empty() || name.find(':') != std::string_view::npos || !header_value_safe(name) ||
      !header_value_safe(value) || !header_value_safe(more)) {
    if (refused_.empty()) refused_ = name.empty() ? std::string("(empty name)") : std::string(name);
    return;
  }
  lines_.append(name).append(": ").append(value).append(more).push_back('\0');
  ++count_;
}

std::vector<header_list::field> header_list::fields() const {
  std::vector<field> out;
  out.reserve(count_);
  std::string_view rest = lines_;
  while (!rest.empty()) {
    size_t end = rest.find('\0');
    std::string_view line = rest.substr(0, end);
    size_t colon = line.find(": ");  // names hold no ':', so the first one ends the name
    out.emplace_back(line.substr(0, colon), line.substr(colon + 2));
    rest.remove_prefix(end + 1);
  }
  return out;
}

header_list delivery_headers(const std::string& event_id, const std::string& event_type,
                             const std::string& account_id, const std::string& signature,
                             bool json) {
  static constexpr std::string_view kAgent = "CS-Hookshot/";
  std::string_view account = account_id.empty() ? std::string_view("null") : account_id;
  std::string_view type =
      json ? std::string_view("application/json; charset=UTF-8")
           : std::string_view("text/plain; charset=UTF-8");
  header_list h;
  // The names, ": ", the agent prefix and the NULs take 98 bytes.
  h.reserve(98 + event_id.size() + event_type.size() + account.size() + signature.size() + type.size());
  h.add("X-CS-Event-ID", event_id);
  h.add("X-CS-Event", event_type);
  h.add("User-Agent", kAgent, account);
  if (!signature.empty()) h.add("X-CS-Signature", signature);
  h.add("Content-Type", type);
  return h;
}

std::string format_recorded_headers(const header_list& headers, size_t body_size) {
  std::string out;
  for (const auto& [name, value] : headers.fields()) {
    if (name == "Content-Type" && body_size > 0)
      out.append("Content-Length: ").append(std::to_string(body_size)).push_back('\n');
    out.append(name).append(": ").append(value).push_back('\n');
  }
  if (!out.empty()) out.pop_back();
  return out;
}

namespace {

bool byte_safe(unsigned char c) { return (c >= 0x20 || c == '\t') && c != 0x7f; }

}  // namespace

bool header_value_safe(std::string_view text) {
  // Eight bytes at a time (every delivery checks ~230 bytes of names and values): a word
  // with no byte below 0x20 and none equal to 0x7F is safe; one that has either (a tab, or
  // a byte the header may not carry) is looked at byte by byte.
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const char* p = text.data();
  size_t n = text.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    std::uint64_t del = x ^ (0x7f * kOnes);
    if ((((x - 0x20 * kOnes) & ~x) | ((del - kOnes) & ~del)) & kHigh) {
      for (int i = 0; i < 8; ++i)
        if (!byte_safe(static_cast<unsigned char>(p[i]))) return false;
    }
  }
  for (; n > 0; ++p, --n)
    if (!byte_safe(static_cast<unsigned char>(*p))) return false;
  return true;
}

std::string recorded_headers(const delivery_record& r) {
  return format_recorded_headers(
      delivery_headers(r.event_id, r.event_type, r.account_id, r.signature, r.json),
      r.payload.size());
}

}  // namespace hookshot
