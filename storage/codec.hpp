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

std::string encode(const webhook& w);
std::string encode(const event& e);
std::string encode(const pending_delivery& p);
std::string encode(const delivery_record& r);
std::string encode(const webhook_filter& f);

status decode(std::string_view bytes, webhook& out);
status decode(std::string_view bytes, event& out);
status decode(std::string_view bytes, pending_delivery& out);
status decode(std::string_view bytes, delivery_record& out);
status decode(std::string_view bytes, webhook_filter& out);

}  // namespace hookshot::storage
