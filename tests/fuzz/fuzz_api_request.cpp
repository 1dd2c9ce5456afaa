// libFuzzer target: CloudStack API request parsing and signature checks.
// Invariants: parsed parameters re-signed verify under the same secret (both "~" spellings);
// a one-byte change of the signature never verifies; dates either parse or say why.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/api_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto params = hookshot::parse_api_params(text);
  if (params) {
    const std::string secret = "fuzz-secret";
    std::string sig = hookshot::api_signature(*params, secret);
    if (!hookshot::verify_api_signature(*params, secret, sig)) std::abort();
    if (!hookshot::verify_api_signature(*params, secret, hookshot::api_signature(*params, secret, true)))
      std::abort();
    std::string bad = sig;
    bad[0] = bad[0] == 'A' ? 'B' : 'A';
    if (hookshot::verify_api_signature(*params, secret, bad)) std::abort();
    for (const auto& [name, value] : *params) {
      (void)hookshot::param(*params, name);
      std::string enc = hookshot::cloudstack_encode(value);
      if (enc.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.*%") !=
          std::string::npos)
        std::abort();
    }
  } else if (params.error().message().empty()) {
    std::abort();
  }
  auto expires = hookshot::parse_expires(text);
  if (!expires && expires.error().message().empty()) std::abort();
  auto date = hookshot::parse_api_date(text);
  if (!date && date.error().message().empty()) std::abort();
  return 0;
}
