// libFuzzer target: the config file loader (JSON with comments, every key's validation, the
// SSRF check of declared URLs). Invariant: a refusal always says why.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto c = hookshot::config::parse_config(text, "fuzz.json");
  if (!c && c.error().message().empty()) std::abort();
  if (c) {
    for (const auto& w : c->webhooks)
      if (!c->find_account(w.account_id)) std::abort();  // every owner resolved
  }
  return 0;
}
