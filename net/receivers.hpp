#pragma once

// The HTTP loop's receivers (net/http_client): one per origin (scheme, host and port), each
// with its share of the loop's transfers (core/concurrency_limit), how many of them it has on
// the wire, and its requests waiting for room. Receivers with requests waiting and room in
// their share stand in line and are served in turn, so one receiver's backlog does not hold up
// another's requests.
//
// A new receiver's share starts with its first round (a few requests in flight until their
// answers are in: it measures the receiver unloaded), which ends kFirstRoundMs after its first
// request went out at most: a slow receiver's answers take a round trip, and its backlog
// should not wait that long. Ended so, it goes on from the answers it has, or at the whole loop
// when it has none (see concurrency_limit::end_first_round). Connecting does not count against
// the first round, as it does not count in the round trips the share follows: a TLS handshake
// (or a TCP connect) slower than kFirstRoundMs would otherwise give a fast receiver the whole
// loop, a connection and a handshake for every transfer of it ("Fortieth session" in
// docs/benchmarks-history.md). A receiver that never gets a request out stays in its first
// round, a few transfers on the wire.
//
// Loop thread only, except limits(), which any thread may call.

#include <boost/container_hash/hash.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/concurrency_limit.hpp"
#include "net/http_client.hpp"

namespace hookshot::net {

// One origin as the loop sees it.
struct receiver {
  receiver(std::string o, concurrency_limit::options opt) : origin(std::move(o)), share(opt) {}
  bool has_room() const { return active < share.limit(); }

  std::string origin;
  concurrency_limit share;
  size_t active = 0;  // transfers on the wire (the loop counts them)
  std::deque<http_request> waiting;
  bool ready = false;    // in line
  size_t published = 0;  // the share receivers::limits() shows (0: none yet)
  bool timed = false;    // in receivers' first rounds, due to end at first_round_ends
  std::chrono::steady_clock::time_point first_round_ends;
};

class receivers {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr auto kFirstRoundMs = std::chrono::milliseconds(10);

  /// Every receiver's share between `share.min` and `share.max` (equal: a fixed cap).
  explicit receivers(concurrency_limit::options share) : share_(share) {}

  /// The receiver for `url`'s origin, created on first use (in its first round).
  receiver& of(std::string_view url);

  /// One of `r`'s requests is about to be sent, its connection ready: the first one starts the
  /// clock of `r`'s first round.
  void sending(receiver& r, clock::time_point now);

  /// Queues `request` for `r`, which stands in line when it has room.
  void wait(receiver& r, http_request request);

  /// Takes the next request in line, receivers in turn (`r` steps out of the line; put it
  /// back with stand_in_line once the request has started): false when none has one and room.
  bool next(receiver*& r, http_request& request);

  /// Puts `r` at the back of the line when it has requests waiting and room.
  void stand_in_line(receiver& r);

  /// One answer (or a timeout) of `r`'s, `rtt_us` after its request was sent; `r.active`
  /// still counts it.
  void answered(receiver& r, std::int64_t rtt_us);

  /// Ends the first rounds that have lasted kFirstRoundMs by `now`.
  void end_due_first_rounds(clock::time_point now);

  /// Milliseconds until the next first round ends, at most `cap` (`cap` when none is on).
  long first_round_wait_ms(long cap, clock::time_point now) const;

  /// Requests waiting in all receivers' queues.
  size_t waiting() const { return waiting_; }

  /// Drops every waiting request (the loop is stopping); returns how many there were.
  size_t drop_waiting();

  /// Forgets receivers with nothing on the wire or waiting, once there are many of them. No
  /// receiver may be in hand across this call.
  void forget_idle();

  /// Each receiver's share as last published (any thread).
  std::vector<std::pair<std::string, size_t>> limits() const;

 private:
  void publish(receiver& r);

  struct origin_hash : boost::hash<std::string_view> {
    using is_transparent = void;  // looked up by a view of the URL, no string made
  };

  concurrency_limit::options share_;
  boost::unordered_flat_map<std::string, std::unique_ptr<receiver>, origin_hash, std::equal_to<>> by_origin_;
  std::deque<receiver*> line_;         // waiting and with room, in turn
  std::deque<receiver*> first_rounds_;  // timed first rounds, oldest first (all last as long)
  size_t waiting_ = 0;
  size_t forget_above_ = 256;  // by_origin_ size that makes forget_idle look
  mutable std::mutex limits_mutex_;
  std::unordered_map<std::string, size_t> published_;
};

}  // namespace hookshot::net
