#pragma once

// Delivery state, as types (the Svix model): a pending delivery waits for its due time, an
// attempt produces an outcome, and the final outcome becomes one delivery record per
// (event, webhook), as CloudStack records it (spec section 6.5) plus hookshot's extra fields.

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.hpp"

namespace hookshot {

/// One (event, webhook) pair not yet finally delivered. Persisted; survives restarts.
struct pending_delivery {
  std::uint64_t seq = 0;          // storage key
  std::uint64_t webhook_key = 0;  // which webhook
  std::uint64_t event_seq = 0;    // which event
  std::uint32_t attempts = 0;     // attempts already made
  millis due_ms = 0;              // not before this time
};

/// What one HTTP attempt produced.
struct attempt_outcome {
  long http_status = 0;  // 0 when no response arrived
  bool transport_error = false;
  std::string response;  // response body (truncated) or the error text
  std::optional<double> retry_after_s;
  millis start_ms = 0;
  millis end_ms = 0;

  /// Any 2xx is success (CloudStack accepts only 200).
  bool success() const { return !transport_error && http_status >= 200 && http_status < 300; }
};

/// The stored result of a delivery: CloudStack's webhook_delivery row plus status, attempts
/// and duration.
struct delivery_record {
  std::uint64_t seq = 0;  // storage key; newer records have larger seqs
  std::string id;         // delivery uuid
  std::uint64_t webhook_key = 0;
  std::string webhook_id;
  std::string webhook_name;
  std::string event_id;
  std::string event_type;
  std::string management_server_id;
  std::string management_server_name;
  std::string account_id;  // event owner: the User-Agent suffix
  std::string signature;   // X-CS-Signature sent (empty: unsigned)
  bool json = true;        // Content-Type was JSON (recorded_headers() rebuilds the text)
  std::uint64_t event_seq = 0;  // the stored event the payload is (0: a payload of its own)
  std::string payload;
  bool success = false;
  std::string response;  // last attempt's body (truncated) or error text
  long http_status = 0;
  std::uint32_t attempts = 0;
  millis start_ms = 0;  // start of the last attempt
  millis end_ms = 0;    // when the delivery finished
};

}  // namespace hookshot
