#pragma once

// Events as ingested: the CloudStack event map (spec section 2.3), kept as the exact bytes
// received so the signature a receiver checks covers what the producer sent.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/status.hpp"

namespace hookshot {

/// An accepted event. `body` is never re-serialised.
struct event {
  std::uint64_t seq = 0;   // storage key, assigned at ingest
  std::string id;          // uuid, sent as X-CS-Event-ID
  std::string type;        // the "event" field, sent as X-CS-Event
  std::string account_id;  // the "account" field: owner account uuid, User-Agent suffix
  std::string domain_id;   // owner's domain, resolved from the account registry
  std::string body;        // bytes exactly as ingested
  bool json = true;        // body is a JSON object or array (Content-Type choice)
  millis received_ms = 0;
};

/// What parse_event() extracts from one JSON object.
struct parsed_event {
  std::string type;
  std::string account_id;
  bool action = true;  // category absent or "ActionEvent"
};

/// Validates one event: a JSON object whose "event" is a non-empty string and whose
/// "account" is a non-empty string (CloudStack refuses events without an account). A present
/// "category" or "eventCategory" other than "ActionEvent" marks the event as not deliverable.
/// Errors name the offending field.
result<parsed_event> parse_event(std::string_view bytes);

/// One line of an NDJSON body, with its 1-based line number.
struct ndjson_line {
  size_t number;
  std::string_view text;
};

/// Splits an NDJSON body into its non-blank lines (a trailing "\r" is dropped).
std::vector<ndjson_line> split_ndjson(std::string_view body);

/// True when `payload` parses as a JSON object or array (CloudStack's Content-Type rule).
bool is_json_payload(std::string_view payload);

}  // namespace hookshot
