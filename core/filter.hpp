#pragma once

// Webhook filters (CloudStack 4.23, spec section 5): which event types a webhook receives.
//
//  - No filters: everything. Any Exclude filter that matches: skipped (exclude wins). At least
//    one Include filter and none matches: skipped.
//  - Only the event type is compared, case-sensitively: Exact, Prefix, Suffix or Contains.
//  - Adding a filter conflicts (spec 5.3, values compared upper-cased) with an existing one of
//    the same mode and match type and an equal value, or of the opposite mode when the new one
//    overlaps the old: old Exact - new Exact equal; old Prefix - new Exact/Prefix starting with
//    it; old Suffix - new Exact/Suffix ending with it; old Contains - any new value containing it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace hookshot {

enum class filter_mode { include, exclude };
enum class match_type { exact, prefix, suffix, contains };

struct webhook_filter {
  std::uint64_t key = 0;  // internal numeric id (what conflict messages name)
  std::string id;         // uuid
  std::uint64_t webhook_key = 0;
  filter_mode mode = filter_mode::include;
  match_type match = match_type::exact;
  std::string value;
  millis created_ms = 0;
};

const char* to_string(filter_mode m);
const char* to_string(match_type m);
/// Case-insensitive, as CloudStack parses them.
std::optional<filter_mode> parse_filter_mode(const std::string& s);
std::optional<match_type> parse_match_type(const std::string& s);

bool filter_matches(const webhook_filter& f, const std::string& event_type);
bool filters_pass(const std::vector<webhook_filter>& filters, const std::string& event_type);

/// The existing filter `added` conflicts with, or null.
const webhook_filter* conflicting_filter(const std::vector<webhook_filter>& existing,
                                         const webhook_filter& added);

}  // namespace hookshot
