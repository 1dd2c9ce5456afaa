#include "core/url_policy.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace hookshot {

const char* const kDefaultBlocklist =
    "0.0.0.0/8,10.0.0.0/8,100.64.0.0/10,127.0.0.0/8,169.254.0.0/16,172.16.0.0/12,192.0.0.0/24,"
    "192.0.2.0/24,192.88.99.0/24,192.168.0.0/16,198.18.0.0/15,198.51.100.0/24,203.0.113.0/24,"
    "224.0.0.0/4,240.0.0.0/4,::1/128,::/128,::ffff:0:0/96,64:ff9b::/96,64:ff9b:1::/48,100::/64,"
    "2001::/32,2001:db8::/32,2002::/16,fc00::/7,fe80::/10,ff00::/8";

namespace {

// ::ffff:a.b.c.d is an IPv4 address on the wire; treat it as one.
void unmap(ip_address& a) {
  static const std::uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (a.v6 && std::memcmp(a.bytes.data(), prefix, 12) == 0) {
    std::array<std::uint8_t, 16> v4{};
    std::memcpy(v4.data(), a.bytes.data() + 12, 4);
    a.bytes = v4;
    a.v6 = false;
  }
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool is_wildcard_or_loopback(const ip_address& a) {
  if (!a.v6) return a.bytes[0] == 127 || (a.bytes[0] | a.bytes[1] | a.bytes[2] | a.bytes[3]) == 0;
  for (int i = 0; i < 15; ++i)
    if (a.bytes[i] != 0) return false;
  return a.bytes[15] <= 1;  // :: or ::1
}

}  // namespace

bool ip_address::parse(const std::string& text, ip_address& out) {
  std::string t = text;
  if (t.size() > 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
  ip_address a;
  if (inet_pton(AF_INET, t.c_str(), a.bytes.data()) == 1) {
    out = a;
    return true;
  }
  if (inet_pton(AF_INET6, t.c_str(), a.bytes.data()) == 1) {
    a.v6 = true;
    unmap(a);
    out = a;
    return true;
  }
  return false;
}

bool ip_address::from_sockaddr(const sockaddr* sa, ip_address& out) {
  ip_address a;
  if (sa->sa_family == AF_INET) {
    std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, 4);
  } else if (sa->sa_family == AF_INET6) {
    std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, 16);
    a.v6 = true;
    unmap(a);
  } else {
    return false;
  }
  out = a;
  return true;
}

std::string ip_address::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

bool cidr::contains(const ip_address& a) const {
  // Families never mix: an address was unmapped at parse time, so ::ffff:10.0.0.1 is judged
  // by the IPv4 ranges, and a range such as ::ffff:0:0/96 holds no address (as in CloudStack,
  // where Java turns mapped addresses into IPv4 ones before the check).
  if (a.v6 != network.v6) return false;
  int bits = prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((a.bytes[i] & mask) != (network.bytes[i] & mask)) return false;
  }
  return true;
}

result<std::vector<cidr>> parse_cidr_list(const std::string& text) {
  std::vector<cidr> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string entry = trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (entry.empty()) continue;
    cidr c;
    size_t slash = entry.find('/');
    std::string raw_addr = entry.substr(0, slash);
    // Parse the network without unmapping, so ::ffff:0:0/96 keeps its IPv6 meaning.
    bool v4 = inet_pton(AF_INET, raw_addr.c_str(), c.network.bytes.data()) == 1;
    bool v6 = !v4 && inet_pton(AF_INET6, raw_addr.c_str(), c.network.bytes.data()) == 1;
    if (!v4 && !v6) return status::invalid_argument("'" + entry + "' is not an IP address or CIDR");
    c.network.v6 = v6;
    int max = v6 ? 128 : 32;
    c.prefix = max;
    if (slash != std::string::npos) {
      std::string p = entry.substr(slash + 1);
      if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(p) > max)
        return status::invalid_argument("'" + entry + "' has an invalid prefix length");
      c.prefix = std::stoi(p);
    }
    out.push_back(c);
  }
  return out;
}

const std::vector<ip_address>& local_interface_addresses() {
  static const std::vector<ip_address> addresses = [] {
    std::vector<ip_address> out;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return out;
    for (ifaddrs* i = list; i; i = i->ifa_next) {
      ip_address a;
      if (i->ifa_addr && ip_address::from_sockaddr(i->ifa_addr, a)) out.push_back(a);
    }
    freeifaddrs(list);
    return out;
  }();
  return addresses;
}

status url_policy::check_scheme(const std::string& url) const {
  // Every attempt passes here on its HTTP loop: the accepted schemes are told apart without
  // building a string.
  size_t end = url.find("://");
  std::string_view scheme = std::string_view(url).substr(0, end == std::string::npos ? 0 : end);
  auto is = [&](std::string_view name) {
    return scheme.size() == name.size() && strncasecmp(scheme.data(), name.data(), name.size()) == 0;
  };
  if (is("https")) return status::ok();
  if (is("http")) {
    if (allow_http) return status::ok();
    return status::invalid_argument("Only HTTPS webhook payload URLs are allowed, got: " + url);
  }
  std::string lower(scheme);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return status::invalid_argument("Unsupported URL scheme [" + lower +
                                  "], only HTTP/HTTPS are supported");
}

bool url_policy::blocks(const ip_address& a) const {
  for (const auto& c : blocklist)
    if (c.contains(a)) return true;
  if (!block_local) return false;
  if (is_wildcard_or_loopback(a)) return true;
  return std::find(local_addresses.begin(), local_addresses.end(), a) != local_addresses.end();
}

std::string_view url_origin(std::string_view url) {
  size_t scheme = url.find("://");
  return url.substr(0, url.find_first_of("/?#", scheme == std::string_view::npos ? 0 : scheme + 3));
}

std::string url_host(const std::string& url) {
  size_t start = url.find("://");
  if (start == std::string::npos) return "";
  std::string authority(url_origin(url).substr(start + 3));
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    return close == std::string::npos ? "" : authority.substr(1, close - 1);
  }
  return authority.substr(0, authority.find(':'));
}

std::string blocked_address_message(const std::string& url) {
  return "Webhook payload URL [" + url + "] resolves to a blocked IP address";
}

resolver system_resolver() {
  return [](const std::string& host) -> result<std::vector<ip_address>> {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &list) != 0 || !list)
      return status::not_found("Failed to resolve webhook payload URL host [" + host + "]");
    std::vector<ip_address> out;
    for (addrinfo* i = list; i; i = i->ai_next) {
      ip_address a;
      if (ip_address::from_sockaddr(i->ai_addr, a)) out.push_back(a);
    }
    freeaddrinfo(list);
    if (out.empty()) return status::not_found("Failed to resolve webhook payload URL host [" + host + "]");
    return out;
  };
}

resolver literal_resolver() {
  return [](const std::string& host) -> result<std::vector<ip_address>> {
    ip_address a;
    if (ip_address::parse(host, a)) return std::vector<ip_address>{a};
    return std::vector<ip_address>{};
  };
}

status validate_target(const std::string& url, const url_policy& policy, const resolver& resolve) {
  status scheme = policy.check_scheme(url);
  if (!scheme) return scheme;
  std::string host = url_host(url);
  if (host.empty()) return status::invalid_argument("Invalid webhook payload URL host in [" + url + "]");
  auto addresses = resolve(host);
  if (!addresses) return status::invalid_argument(addresses.error().message());
  for (const auto& a : *addresses)
    if (policy.blocks(a)) return status::invalid_argument(blocked_address_message(url));
  return status::ok();
}

}  // namespace hookshot
