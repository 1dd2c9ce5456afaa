// libFuzzer target: the intake parser (NDJSON split, one event per line, Content-Type rule).
// Invariants: lines are non-blank slices of the input in order; an accepted event has a
// non-empty type and account; nothing crashes, leaks or reads out of bounds.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/event.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  size_t last = 0;
  for (const auto& line : hookshot::split_ndjson(body)) {
    if (line.text.empty() || line.number <= last) std::abort();
    if (line.text.data() < body.data() || line.text.data() + line.text.size() > body.data() + body.size())
      std::abort();
    last = line.number;
    auto parsed = hookshot::parse_event(line.text);
    if (parsed && (parsed->type.empty() || parsed->account_id.empty())) std::abort();
    if (!parsed && parsed.error().message().empty()) std::abort();
  }
  auto whole = hookshot::parse_event(body);
  if (whole && !hookshot::is_json_payload(body)) std::abort();  // an event is a JSON object
  return 0;
}
