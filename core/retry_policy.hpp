#pragma once

// When to try a delivery again (an improvement over CloudStack's back-to-back tries).
//
//  - `tries` is the total number of attempts (CloudStack's webhook.delivery.tries).
//  - The wait after attempt n is backoff[n-1] seconds; past the end of the list the last value
//    repeats. "0" reproduces CloudStack's immediate retries.
//  - A wait w > 0 gets uniform jitter in [0.8 w, 1.2 w]; a wait of 0 stays 0.
//  - A Retry-After from the receiver (seconds or an HTTP date) is honoured up to
//    `retry_after_max_s`: the wait is max(jittered wait, min(Retry-After, cap)).
//
// Pure: the clock and the random source are passed in.

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/status.hpp"

namespace hookshot {

struct retry_policy {
  int tries = 3;
  std::vector<double> backoff_s{1, 5, 30, 120, 600};
  double retry_after_max_s = 3600;

  /// Parses "1,5,30" (seconds, fractions allowed, whitespace ignored). Fails on an empty list,
  /// a negative or non-numeric entry.
  static result<std::vector<double>> parse_backoff(const std::string& text);

  /// True when another attempt is allowed after `attempts_made` failed ones.
  bool may_retry(int attempts_made) const { return attempts_made < tries; }

  /// Milliseconds to wait after the `attempts_made`-th failed attempt (1-based).
  millis delay_after(int attempts_made, std::optional<double> retry_after_s,
                     random_source& rng) const;
};

/// Parses a Retry-After header value: delta-seconds, or an IMF-fixdate relative to `now`.
/// Returns nothing for a malformed value; a date in the past gives 0.
std::optional<double> parse_retry_after(const std::string& value, millis now);

}  // namespace hookshot
