#pragma once

// The events the benchmark posts: about 1 KiB of JSON each, carrying its owner and the time
// it was sent ("sent_us", microseconds since the epoch, which the sink subtracts from the
// arrival time for latency).
//
// A line is built by appending three pieces (the part up to "sent_us" for its owner, the
// number, the rest), not by serialising a JSON object: 0.06 µs an event instead of 0.8-1.2 µs,
// spent by the posting client on the same two cores as the engine it measures.

#include <cstdint>
#include <string>
#include <vector>

namespace hookshot::bench {

class event_lines {
 public:
  /// Lines for events owned by `accounts` (account ids, JSON-escaped here).
  explicit event_lines(const std::vector<std::string>& accounts);

  /// Appends the event of accounts[owner % accounts.size()] sent at `sent_us` to `out`, no
  /// newline.
  void append(std::string& out, size_t owner, std::int64_t sent_us) const;

  /// One event as a string.
  std::string line(size_t owner, std::int64_t sent_us) const;

  /// Padding in "description": makes an event about 1 KiB.
  static constexpr size_t kPayloadPad = 860;

 private:
  std::vector<std::string> heads_;  // per account: {"event":...,"sent_us":
  std::string tail_;                // ,"description":"xx…"}
};

}  // namespace hookshot::bench
