#pragma once

// Value encodings: each value starts with a one-byte format version, then fields in a fixed
// order; integers little-endian fixed width, strings as u32 length + bytes. See
// docs/storage-format.md. Decoders check bounds and report corruption, never crash.

#include <string>
#include <string_view>

#include "core/delivery.hpp"
#include "core/event.hpp"
#include "core/filter.hpp"
#include "core/status.hpp"
#include "core/webhook.hpp"

namespace hookshot::storage {

/// A delivery record's fields by reference, encoded exactly as a delivery_record is: the
/// webhook actor encodes each finished delivery from its webhook and event without first
/// copying a dozen strings into a delivery_record. The views must outlive encode().
struct record_fields {
  std::uint64_t seq = 0;
  std::string_view id;
  std::uint64_t webhook_key = 0;
  std::string_view webhook_id, webhook_name, event_id, event_type;
  std::string_view management_server_id, management_server_name, account_id, signature;
  bool json = true;
  std::uint64_t event_seq = 0;  // the stored event whose body is the payload; 0: payload inline
  std::string_view payload;     // not stored when event_seq is set
  bool success = false;
  std::string_view response;
  long http_status = 0;
  std::uint32_t attempts = 0;
  millis start_ms = 0;
  millis end_ms = 0;
};

/// Views of `r`'s fields (valid while `r` is).
record_fields fields_of(const delivery_record& r);

std::string encode(const webhook& w);
std::string encode(const event& e);
std::string encode(const pending_delivery& p);
std::string encode(const delivery_record& r);
std::string encode(const record_fields& r);
std::string encode(const webhook_filter& f);
/// Appends the encoding of an event or record to `out` (many values in one buffer: one
/// allocation per batch instead of one per value).
void encode_into(std::string& out, const event& e);
void encode_into(std::string& out, const record_fields& r);

status decode(std::string_view bytes, webhook& out);
status decode(std::string_view bytes, event& out);
status decode(std::string_view bytes, pending_delivery& out);
status decode(std::string_view bytes, delivery_record& out);
/// Which log a stored record belongs to and the event it names, read from the record's
/// leading fields only (the rest is decoded when the record is read).
struct record_owner {
  std::uint64_t seq = 0;
  std::uint64_t webhook_key = 0;
  std::uint64_t event_seq = 0;
};
status decode(std::string_view bytes, record_owner& out);
status decode(std::string_view bytes, webhook_filter& out);

}  // namespace hookshot::storage
