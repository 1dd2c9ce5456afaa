#include "core/webhook.hpp"

#include <arpa/inet.h>

#include <strings.h>

#include <cctype>
#include <string>

namespace hookshot {
namespace {

bool iequals(const std::string& a, const char* b) {
  return strcasecmp(a.c_str(), b) == 0;
}

}  // namespace

const char* to_string(scope s) {
  switch (s) {
    case scope::local:
      return "Local";
    case scope::domain:
      return "Domain";
    case scope::global:
      return "Global";
  }
  return "Local";
}

std::optional<scope> parse_scope(const std::string& s) {
  for (auto v : {scope::local, scope::domain, scope::global})
    if (iequals(s, to_string(v))) return v;
  return std::nullopt;
}

const char* to_string(webhook_state s) {
  return s == webhook_state::enabled ? "Enabled" : "Disabled";
}

std::optional<webhook_state> parse_state(const std::string& s) {
  for (auto v : {webhook_state::enabled, webhook_state::disabled})
    if (iequals(s, to_string(v))) return v;
  return std::nullopt;
}

const char* to_string(account_role r) {
  switch (r) {
    case account_role::admin:
      return "Admin";
    case account_role::domain_admin:
      return "DomainAdmin";
    case account_role::user:
      return "User";
  }
  return "User";
}

std::optional<account_role> parse_role(const std::string& s) {
  for (auto v : {account_role::admin, account_role::domain_admin, account_role::user})
    if (iequals(s, to_string(v))) return v;
  return std::nullopt;
}

namespace {

std::string lower_ascii(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace

status validate_payload_url(const std::string& url) {
  size_t scheme_end = url.find("://");
  std::string scheme = lower_ascii(url.substr(0, scheme_end));
  if (scheme_end == std::string::npos || (scheme != "http" && scheme != "https"))
    return status::invalid_argument("Unsupported URL scheme in payload URL: " + url);
  std::string rest = url.substr(scheme_end + 3);
  std::string host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.rfind('@') != std::string::npos) host = host.substr(host.rfind('@') + 1);
  if (host.empty()) return status::invalid_argument("Invalid webhook payload URL host in [" + url + "]");
  // host, [v6], host:port or [v6]:port; a port is 1-65535 in digits.
  size_t close = host[0] == '[' ? host.find(']') : std::string::npos;
  in6_addr v6{};
  if (host[0] == '[' && (close == std::string::npos ||
                         inet_pton(AF_INET6, host.substr(1, close - 1).c_str(), &v6) != 1))
    return status::invalid_argument("Invalid webhook payload URL host in [" + url + "]");
  size_t colon = host.find(':', close == std::string::npos ? 0 : close);
  std::string name = host.substr(0, colon), port = colon == std::string::npos ? "" : host.substr(colon + 1);
  bool port_ok = colon == std::string::npos ||
                 (!port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos &&
                  std::stol(port) >= 1 && std::stol(port) <= 65535);
  if (name.empty() || !port_ok || url.find_first_of(" \t\r\n") != std::string::npos)
    return status::invalid_argument("Invalid webhook payload URL host in [" + url + "]");
  return status::ok();
}

std::string normalize_payload_url(const std::string& url) {
  if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) return url;
  return "http://" + url;
}

}  // namespace hookshot
