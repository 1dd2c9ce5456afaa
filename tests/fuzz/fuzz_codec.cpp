// libFuzzer target: stored values read back from LMDB (a damaged or foreign data file).
// Invariant: a value either decodes exactly (re-encoding gives the same bytes) or is reported
// as corruption; nothing is guessed.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "storage/codec.hpp"

namespace {

template <class T>
void round_trip(std::string_view bytes) {
  T value;
  auto st = hookshot::storage::decode(bytes, value);
  if (st) {
    if (hookshot::storage::encode(value) != bytes) std::abort();
  } else if (st.error_code() != hookshot::status::code::corruption) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  round_trip<hookshot::webhook>(bytes);
  round_trip<hookshot::event>(bytes);
  round_trip<hookshot::pending_delivery>(bytes);
  round_trip<hookshot::delivery_record>(bytes);
  round_trip<hookshot::webhook_filter>(bytes);
  return 0;
}
