#pragma once

// Where deliveries may go: hookshot's SSRF policy, with CloudStack's setting names and texts.
//
//   webhook.delivery.allow.http             plain http URLs (otherwise https only)
//   webhook.delivery.blocklist              CIDRs no delivery may reach
//   webhook.delivery.block.local.addresses  wildcard, loopback and this host's own addresses
//   webhook.delivery.allow.redirects        follow 3xx, each hop checked again, at most 5
//
// A URL is checked when a webhook is created or changed (validate_target: every address its
// host resolves to must be allowed) and again on every connection a delivery opens: the HTTP
// loop checks the very address it is about to connect to (url_policy::blocks), so a name that
// resolves differently later (DNS rebinding) cannot slip through, and the URL itself is never
// rewritten: Host, TLS SNI and certificate name stay the webhook's host name.
//
// Thread safety: a url_policy is immutable once built; share it by shared_ptr<const>.

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"

struct sockaddr;

namespace hookshot {

/// An IPv4 or IPv6 address. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are stored as IPv4.
struct ip_address {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4

  /// Parses a literal ("10.0.0.1", "::1", "[::1]"); false if it is not one.
  static bool parse(const std::string& text, ip_address& out);
  /// From an AF_INET / AF_INET6 socket address; false for other families.
  static bool from_sockaddr(const sockaddr* sa, ip_address& out);
  std::string to_string() const;
  bool operator==(const ip_address& o) const { return v6 == o.v6 && bytes == o.bytes; }
};

struct cidr {
  ip_address network;
  int prefix = 0;
  bool contains(const ip_address& a) const;
};

/// Parses a comma-separated CIDR list (entries trimmed, blanks dropped; a bare address is a
/// single host). The error names the entry.
result<std::vector<cidr>> parse_cidr_list(const std::string& text);

/// CloudStack's default webhook.delivery.blocklist: private, loopback, link-local, shared,
/// documentation, multicast and reserved ranges, IPv4 and IPv6.
extern const char* const kDefaultBlocklist;

/// The addresses of this host's interfaces (getifaddrs), read once per process.
const std::vector<ip_address>& local_interface_addresses();

struct url_policy {
  static constexpr int kMaxRedirects = 5;

  bool allow_http = false;
  bool allow_redirects = false;
  bool block_local = true;
  std::vector<cidr> blocklist;
  std::vector<ip_address> local_addresses;  // consulted when block_local

  /// Scheme check: https always, http only when allowed. CloudStack's error texts.
  status check_scheme(const std::string& url) const;
  /// True if no delivery may connect to `a`.
  bool blocks(const ip_address& a) const;
};

/// "scheme://authority" of a URL (up to its path, query or fragment): one receiver, as the
/// HTTP loops count them. Without "://", everything up to the first '/', '?' or '#'.
std::string_view url_origin(std::string_view url);

/// The host part of an http(s) URL without brackets or port ("" if there is none).
std::string url_host(const std::string& url);

/// The message a delivery records when its connection is refused by the policy.
std::string blocked_address_message(const std::string& url);

/// Resolves a host name to every address it has (an IP literal resolves to itself).
using resolver = std::function<result<std::vector<ip_address>>(const std::string& host)>;
/// getaddrinfo; blocks for as long as DNS takes.
resolver system_resolver();
/// Resolves IP literals only; any name "resolves" to nothing and passes (for checks that must
/// not wait on DNS, such as the config file at start-up: deliveries check names later).
resolver literal_resolver();

/// The create/update check: scheme, a host, at least one address, and no blocked address.
status validate_target(const std::string& url, const url_policy& policy, const resolver& resolve);

}  // namespace hookshot
