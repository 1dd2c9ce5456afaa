// libFuzzer target: payload URLs and the SSRF policy's parsers (CIDR lists, IP literals),
// plus Retry-After. Invariants: an accepted URL has a host; a blocked literal stays blocked
// whichever way it is written (IPv4-mapped IPv6 included); prefixes stay in range.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/retry_policy.hpp"
#include "core/url_policy.hpp"
#include "core/webhook.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string url = hookshot::normalize_payload_url(text);
  if (hookshot::validate_payload_url(url) && hookshot::url_host(url).empty()) std::abort();

  static const hookshot::url_policy strict = [] {
    hookshot::url_policy p;
    p.blocklist = *hookshot::parse_cidr_list(hookshot::kDefaultBlocklist);
    return p;
  }();
  auto st = hookshot::validate_target(url, strict, hookshot::literal_resolver());
  if (!st && st.message().empty()) std::abort();

  hookshot::ip_address a;
  if (hookshot::ip_address::parse(text, a)) {
    hookshot::ip_address again;
    if (!hookshot::ip_address::parse(a.to_string(), again) || !(again == a)) std::abort();
    if (!a.v6) {
      hookshot::ip_address mapped;
      if (!hookshot::ip_address::parse("::ffff:" + a.to_string(), mapped) ||
          strict.blocks(mapped) != strict.blocks(a))
        std::abort();
    }
  }
  auto cidrs = hookshot::parse_cidr_list(text);
  if (cidrs)
    for (const auto& c : *cidrs)
      if (c.prefix < 0 || c.prefix > (c.network.v6 ? 128 : 32)) std::abort();
  auto after = hookshot::parse_retry_after(text, 1700000000000);
  if (after && *after < 0) std::abort();
  return 0;
}
