#pragma once

// The header set of a delivery, exactly as CloudStack sends it (spec section 6.2).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/delivery.hpp"
#include "core/event.hpp"

namespace hookshot {

using header_list = std::vector<std::pair<std::string, std::string>>;

/// X-CS-Event-ID, X-CS-Event, User-Agent (CS-Hookshot/<account uuid>, "null" when unknown),
/// X-CS-Signature (only when `signature` is not empty), Content-Type (JSON or text/plain).
header_list delivery_headers(const std::string& event_id, const std::string& event_type,
                             const std::string& account_id, const std::string& signature,
                             bool json);
inline header_list delivery_headers(const event& ev, const std::string& signature) {
  return delivery_headers(ev.id, ev.type, ev.account_id, signature, ev.json);
}

/// True when `text` can be sent as a header field value as it is: no control characters
/// (bytes below 0x20 other than tab, and 0x7F). A CR or LF would end the header line and
/// start one the sender never meant (header injection); a NUL cuts the value short.
bool header_value_safe(std::string_view text);

/// The headers as CloudStack records them: "Name: value" lines joined by "\n", including
/// Content-Length when the body is not empty.
std::string format_recorded_headers(const header_list& headers, size_t body_size);

/// The recorded header text of a stored delivery (rebuilt from its fields, so the log does
/// not store it).
std::string recorded_headers(const delivery_record& r);

}  // namespace hookshot
