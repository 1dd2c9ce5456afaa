#pragma once

// The header set of a delivery, exactly as CloudStack sends it (spec section 6.2).

#include <string>
#include <utility>
#include <vector>

#include "core/event.hpp"

namespace hookshot {

class hmac_sha256;

using header_list = std::vector<std::pair<std::string, std::string>>;

/// X-CS-Event-ID, X-CS-Event, User-Agent (CS-Hookshot/<account uuid>, "null" when unknown),
/// X-CS-Signature (only when `signer` is given), Content-Type (JSON or text/plain).
header_list delivery_headers(const event& ev, const hmac_sha256* signer);

/// The headers as CloudStack records them: "Name: value" lines joined by "\n", including
/// Content-Length when the body is not empty.
std::string format_recorded_headers(const header_list& headers, size_t body_size);

}  // namespace hookshot
