#pragma once

// How many requests one receiver gets on the wire at once, adapted to its round trips.
//
// A receiver that answers in 100 µs is kept busy by a handful of requests in flight; a thousand
// only queue up (in its accept backlog, its workers, our own loop) and cost both sides a
// connection each: on this machine curl sent 1.5 times as fast with 16-64 in flight per loop
// as with 512 (docs/benchmarks-history.md). A receiver that answers in 100 ms needs a
// thousand. So the limit follows what the round trips say, the way TCP Vegas sizes its window:
//
// - Answers are averaged per round: about `limit()` of them, one round trip's worth.
// - The receiver's own round trip (`base`) is measured unloaded: its first requests go out
//   with `min` in flight until their 8 answers are in, which set it (a burst of `max` new
//   requests would time our own loop sending them), and any round run with at most 2 × `min`
//   in flight sets it again. Between those it only falls (the lowest round average). The
//   owner ends the first round early (end_first_round) when its answers are slow to come, so
//   a slow receiver is not held at `min` for a whole round trip: the answers of the requests
//   sent in it still set the base. A first round with answers in when it is ended ends on
//   those answers instead, as if they were all: the receiver does answer, and what is late
//   is a few of its first requests (new connections, our own loop busy). Given `max`, its
//   base would come from answers that the burst of `max` new requests made later still (our
//   loop opening hundreds of connections), under which the queue `max` builds never shows:
//   a fast receiver kept 512 requests in flight for a whole run that way.
// - A round whose average is more than `queueing_factor` times the base means requests wait
//   behind each other: the limit drops to what keeps the pipe full at that factor
//   (limit × factor × base / average), at most halving per round, never below `min`. The
//   answers to requests sent before a drop say nothing about the new limit: they are skipped.
// - Otherwise, when the round used at least half the limit, it grows: it doubles from the
//   first round on (slow start) until a round first queues, then grows by an eighth (at least
//   1), up to `max`. A limit nobody uses does not grow.
// - Every 256 rounds above 2 × `min` without such a measure, a probe: the limit drops to `min`
//   for one round (the answers to requests sent before it skipped), which sets the base
//   again, and then returns to where it was, judged against that base from the next round on.
//   A base can be wrong for good otherwise: one set by first answers that were late for
//   reasons of their own (a receiver starting up, our own loop's start-up burst) is never
//   undercut at a limit high enough to queue, so the queue never shows against it. A probe
//   costs about two round trips at `min` in flight per 256: under 1 % of a slow receiver's
//   throughput; a fast receiver held too high is let down within 256 of its round trips.
//
// A receiver that answers any of its first requests within the first round is found from
// below: a round trip's worth of answers per doubling, so a fast receiver reaches its level
// within milliseconds without the burst of `max` new connections it would only queue (1,000
// at once from two loops, which cost the first 40-60 ms of a run; docs/benchmarks-history.md). One
// that answered nothing before the owner ended its first round may use `max` at once: no
// slow receiver is slower to reach than with a fixed cap of `max`. A receiver whose answers
// get slower on their own (not through us), or whose first answers were its fastest by
// chance (a cache), is backed off towards `min` until a round there measures it again, then
// given room back.
//
// Pure (round trips are given, not timed here) and not thread-safe: one loop owns each.

#include <cstddef>
#include <cstdint>

namespace hookshot {

class concurrency_limit {
 public:
  struct options {
    std::size_t min = 8;
    std::size_t max = 512;
    double queueing_factor = 2.0;
  };

  explicit concurrency_limit(options o);

  /// Requests of this receiver that may be on the wire now.
  std::size_t limit() const { return limit_; }

  /// Whether the first round (`min` in flight until 8 answers) is still on.
  bool in_first_round() const { return first_round_; }

  /// Ends the first round now. With no answer yet, the limit becomes `max` and the first 8
  /// answers still set the base; with some, they set it and the share goes on as after a
  /// first round ended by its 8 answers (twice `min`, doubling per round).
  void end_first_round();

  /// One answer (or a timeout) `rtt_us` after its request was sent (its connection already
  /// open), with `in_flight` requests of this receiver on the wire just before it ended
  /// (itself included).
  void on_answer(std::int64_t rtt_us, std::size_t in_flight);

  /// The unloaded round trip the limit is judged against (µs; 0 before the first round).
  double base_rtt_us() const { return base_us_; }

 private:
  void end_round(std::size_t in_flight);
  /// Whether a round at the current limit measures the receiver unloaded (at most 2 × `min`).
  bool unloaded() const { return limit_ <= 2 * opt_.min; }
  /// Lowers the limit; the answers still due from the `in_flight` - 1 others on the wire were
  /// sent at the old limit and are skipped.
  void lower_to(std::size_t limit, std::size_t in_flight);

  options opt_;
  std::size_t limit_;
  double base_us_ = 0;
  bool first_round_ = true;  // `min` in flight until the first answers or end_first_round
                             // (none when min = max)
  bool measured_ = false;    // the first answers have set the base
  bool slow_start_ = false;  // doubling per round until a round queues (after a first round
                             // ended by its answers)
  std::size_t rounds_above_ = 0;  // rounds ended above 2 × min since the base was last measured
  std::size_t probe_return_ = 0;  // during a probe: the limit to go back to (0: no probe)
  // The round in progress.
  double sum_us_ = 0;
  std::size_t samples_ = 0;
  bool used_ = false;  // an answer came with at least half the limit in flight
  std::size_t skip_ = 0;  // answers still due from before the last drop
};

}  // namespace hookshot
