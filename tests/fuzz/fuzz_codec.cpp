// libFuzzer target: stored values read back from LMDB (a damaged or foreign data file).
// Invariant: a value either decodes exactly (re-encoding gives the same bytes, or for a value
// in an older format the newer format's bytes, which decode to themselves) or is reported as
// corruption; nothing is guessed.

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
    std::string again = hookshot::storage::encode(value);
    if (again == bytes) return;
    // Only an older format may re-encode differently, and then into a fixed point.
    if (again.empty() || bytes.empty() || again[0] <= bytes[0]) std::abort();
    T newer;
    if (!hookshot::storage::decode(again, newer) || hookshot::storage::encode(newer) != again)
      std::abort();
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
  // A record's leading fields: whenever the whole record decodes, they agree with it.
  hookshot::delivery_record whole;
  hookshot::storage::record_owner owner;
  auto owner_st = hookshot::storage::decode(bytes, owner);
  if (!owner_st && owner_st.error_code() != hookshot::status::code::corruption) std::abort();
  if (hookshot::storage::decode(bytes, whole) &&
      (!owner_st || owner.seq != whole.seq || owner.webhook_key != whole.webhook_key ||
       owner.event_seq != whole.event_seq))
    std::abort();
  return 0;
}
