// A receiver's share of a loop, driven by round trips from model receivers: one whose round trip
// grows with what we keep in flight (it serves requests one after another), one whose round
// trip is its own (it waits 100 ms, however many there are), and one that changes.

#include "core/concurrency_limit.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <deque>
#include <functional>

using namespace hookshot;

namespace {

concurrency_limit::options opts(std::size_t min, std::size_t max) {
  concurrency_limit::options o;
  o.min = min;
  o.max = max;
  return o;
}

// Feeds `answers` answers with the receiver's limit kept full (a backlog waits), each with the
// round trip `rtt(limit)`. Returns the lowest and highest limit seen along the way.
std::pair<std::size_t, std::size_t> saturate(concurrency_limit& c, int answers,
                                             const std::function<double(std::size_t)>& rtt) {
  std::size_t lo = c.limit(), hi = c.limit();
  for (int i = 0; i < answers; ++i) {
    c.on_answer(static_cast<std::int64_t>(rtt(c.limit())), c.limit());
    lo = std::min(lo, c.limit());
    hi = std::max(hi, c.limit());
  }
  return {lo, hi};
}

// The first round and slow start of a receiver answering in `rtt_us` with its share full,
// until the share reaches `max`.
void grow_to_max(concurrency_limit& c, std::size_t max, std::int64_t rtt_us) {
  for (int i = 0; i < 10000 && c.limit() < max; ++i) c.on_answer(rtt_us, c.limit());
  REQUIRE(c.limit() == max);
}

// A receiver that serves one request at a time, `service_us` each, answering `latency_us` later,
// with its share kept full (a backlog waits): a request's round trip is the service of those
// ahead of it and its own. Simulated in time: the first requests of a burst are answered first.
struct serial_receiver {
  serial_receiver(double service, double latency) : service_us(service), latency_us(latency) {}
  double service_us, latency_us;
  double now = 0;
  std::deque<double> sent;  // send times of the requests on the wire, oldest first

  std::pair<std::size_t, std::size_t> run(concurrency_limit& c, int answers) {
    std::size_t lo = c.limit(), hi = c.limit();
    for (int i = 0; i < answers; ++i) {
      while (sent.size() < c.limit()) sent.push_back(now);  // after a drop: none until below it
      now += service_us;
      double rtt = now - sent.front() + latency_us;
      sent.pop_front();
      c.on_answer(static_cast<std::int64_t>(rtt), sent.size() + 1);
      lo = std::min(lo, c.limit());
      hi = std::max(hi, c.limit());
    }
    return {lo, hi};
  }
};

}  // namespace

TEST_CASE("a new receiver is measured with min in flight, then doubles its share per round",
          "[core][limit]") {
  concurrency_limit c(opts(8, 512));
  CHECK(c.limit() == 8);
  CHECK(c.in_first_round());
  for (int i = 0; i < 7; ++i) c.on_answer(100, 8);
  CHECK(c.limit() == 8);
  c.on_answer(100, 8);
  CHECK_FALSE(c.in_first_round());
  CHECK(c.base_rtt_us() == Approx(100));
  // Answers as fast as unloaded: each round (a share's worth of answers) doubles the share.
  for (std::size_t want : {16, 32, 64, 128, 256, 512}) {
    REQUIRE(c.limit() == want);
    for (std::size_t i = 0; i < want; ++i) c.on_answer(100, want);
  }
  CHECK(c.limit() == 512);
}

TEST_CASE("a new receiver's share stops doubling at its first queued round", "[core][limit]") {
  concurrency_limit c(opts(8, 512));
  for (int i = 0; i < 8; ++i) c.on_answer(100, 8);
  for (int i = 0; i < 16; ++i) c.on_answer(100, 16);
  REQUIRE(c.limit() == 32);
  for (int i = 0; i < 32; ++i) c.on_answer(800, 32);  // eight times the base: a queue
  REQUIRE(c.limit() == 16);
  for (int i = 0; i < 31; ++i) c.on_answer(800, 31 - i);  // sent before the drop: skipped
  for (int i = 0; i < 16; ++i) c.on_answer(150, 16);       // no queue: an eighth more, no longer double
  CHECK(c.limit() == 18);
}

TEST_CASE("a first round ended early gives max at once; its answers still set the base",
          "[core][limit]") {
  concurrency_limit c(opts(8, 512));
  c.end_first_round();  // nothing answered yet: a slow receiver
  CHECK(c.limit() == 512);
  for (int i = 0; i < 8; ++i) c.on_answer(100000, 8);
  CHECK(c.base_rtt_us() == Approx(100000));
  CHECK(c.limit() == 512);
  c.end_first_round();  // over already: nothing changes
  CHECK(c.limit() == 512);
}

TEST_CASE("a first round ended early with answers in ends on them, not at max", "[core][limit]") {
  concurrency_limit c(opts(8, 512));
  for (int i = 0; i < 6; ++i) c.on_answer(300, 8 - i);  // six of its eight answered quickly
  c.end_first_round();  // the other two are late (new connections, our own start-up)
  CHECK_FALSE(c.in_first_round());
  CHECK(c.base_rtt_us() == Approx(300));
  CHECK(c.limit() == 16);  // slow start, as after a first round ended by its answers
}

TEST_CASE("a fast receiver whose first round ran late is not held at max", "[core][limit]") {
  // One of its first answers came in time; the rest came after the owner had ended the round,
  // late by the owner's own loop (busy opening connections): had they set the base, the queue
  // that max builds (512 requests served 40 µs each: 20 ms) would stay under twice that base
  // and the receiver would keep max for good.
  concurrency_limit c(opts(8, 512));
  c.on_answer(600, 8);
  c.end_first_round();
  for (int i = 0; i < 7; ++i) c.on_answer(60000, 7 - i);
  serial_receiver rx(40, 50);
  rx.run(c, 20000);
  auto [lo, hi] = rx.run(c, 200000);
  CHECK(lo >= 8);
  CHECK(hi <= 64);
}

TEST_CASE("a fast receiver given max on slow first answers is let down by a probe", "[core][limit]") {
  // Its first answers took 40-320 ms (a receiver starting up, one request at a time), so its
  // first round ended with none in and it got max at once; then it serves 20 µs each: 512 in
  // flight queue for ~10 ms, under twice the base those first answers set. Only measuring the
  // base again, with few in flight, shows the queue.
  concurrency_limit c(opts(8, 512));
  c.end_first_round();
  for (int i = 1; i <= 8; ++i) c.on_answer(40000 * i, 512);
  REQUIRE(c.limit() == 512);
  serial_receiver rx(20, 50);
  auto [lo, hi] = rx.run(c, 200 * 512);  // 200 rounds: held at max, as before probes
  CHECK(lo == 512);
  CHECK(hi == 512);
  rx.run(c, 100 * 512);  // past the 256th round: the probe, then its queue shows
  CHECK(c.base_rtt_us() < 1000);
  CHECK(c.limit() <= 64);
  auto after = rx.run(c, 100000);
  CHECK(after.second <= 64);
}

TEST_CASE("a receiver whose round trip is its own loses under 1 % to probes, and keeps max",
          "[core][limit]") {
  concurrency_limit c(opts(8, 500));
  c.end_first_round();
  auto slow = [](std::size_t) { return 100000.0; };
  saturate(c, 8, slow);
  REQUIRE(c.limit() == 500);
  int below = 0, probes = 0;
  std::size_t before = c.limit();
  for (int i = 0; i < 1000 * 500; ++i) {  // a thousand round trips with the share full
    c.on_answer(100000, c.limit());
    if (c.limit() < 500) ++below;
    if (before == 500 && c.limit() == 8) ++probes;
    before = c.limit();
  }
  CHECK(probes >= 3);  // one per 256 rounds
  CHECK(probes <= 4);
  CHECK(below < 1000 * 500 / 100);  // answers that came while the share was down
  CHECK(c.limit() == 500);
  CHECK(c.base_rtt_us() == Approx(100000));
}

TEST_CASE("a receiver that serves requests one after another is held far below max, for good",
          "[core][limit]") {
  serial_receiver rx(10, 50);
  concurrency_limit c(opts(8, 512));
  std::size_t first_hi = rx.run(c, 5000).second;
  CHECK(first_hi <= 128);  // found from below: never a burst of max requests it would only queue
  CHECK(c.limit() <= 64);
  auto [lo, hi] = rx.run(c, 200000);  // no creeping back up
  CHECK(lo >= 8);
  CHECK(hi <= 64);
}

TEST_CASE("a receiver whose round trip is its own keeps max, through jitter", "[core][limit]") {
  int i = 0;
  auto slow = [&i](std::size_t) { return (++i % 3 == 0) ? 108000.0 : 96000.0; };  // 100 ms ± 8 %
  concurrency_limit c(opts(8, 500));
  c.end_first_round();   // as its owner does when no answer came within the first round
  saturate(c, 8, slow);  // the first answers: the base
  REQUIRE(c.limit() == 500);
  auto [lo, hi] = saturate(c, 100000, slow);
  CHECK(lo == 500);
  CHECK(hi == 500);
}

TEST_CASE("a receiver whose first answers were its fastest by chance gets room back", "[core][limit]") {
  concurrency_limit c(opts(8, 256));
  for (int i = 0; i < 8; ++i) c.on_answer(5000, 256);  // from a cache, say
  auto [lo, hi] = saturate(c, 30000, [](std::size_t) { return 100000.0; });  // the rest: 100 ms
  CHECK(lo <= 16);
  CHECK(c.limit() == 256);
}

TEST_CASE("a receiver that slows down on its own is backed off, measured again, and given room back",
          "[core][limit]") {
  double own = 100;
  auto receiver = [&own](std::size_t) { return own; };
  concurrency_limit c(opts(8, 256));
  saturate(c, 2000, receiver);
  REQUIRE(c.limit() == 256);
  own = 5000;  // fifty times slower, whatever we do
  auto [lo, hi] = saturate(c, 2000, receiver);
  CHECK(lo <= 16);  // backed off at first: this looks like our own queueing
  saturate(c, 20000, receiver);
  CHECK(c.limit() == 256);  // measured at a low limit: its own round trip, room given back
  CHECK(c.base_rtt_us() == Approx(5000));
}

TEST_CASE("answers to requests sent before a drop are not held against the new limit", "[core][limit]") {
  concurrency_limit c(opts(8, 64));
  grow_to_max(c, 64, 100);
  REQUIRE(c.base_rtt_us() == Approx(100));
  for (int i = 0; i < 64; ++i) c.on_answer(1000, 64);  // ten times the base: a queue
  REQUIRE(c.limit() == 32);                               // halved at most
  for (int i = 0; i < 63; ++i) c.on_answer(100000, 63 - i);  // the rest of the old window
  CHECK(c.limit() == 32);
  for (int i = 0; i < 32; ++i) c.on_answer(150, 32);  // the new limit's own round
  CHECK(c.limit() == 36);                              // no queue: it grows by an eighth
}

TEST_CASE("a limit nobody uses does not grow", "[core][limit]") {
  concurrency_limit c(opts(8, 64));
  grow_to_max(c, 64, 100);
  for (int i = 0; i < 64; ++i) c.on_answer(1000, 64);
  REQUIRE(c.limit() == 32);
  for (int i = 0; i < 63; ++i) c.on_answer(1000, 1);  // skipped: sent before the drop
  for (int i = 0; i < 1000; ++i) c.on_answer(100, 1);  // one at a time
  CHECK(c.limit() == 32);
}

TEST_CASE("min equal to max is a fixed cap", "[core][limit]") {
  concurrency_limit c(opts(64, 64));
  CHECK(c.limit() == 64);
  serial_receiver rx(10, 50);
  auto [lo, hi] = rx.run(c, 10000);
  CHECK(lo == 64);
  CHECK(hi == 64);
}
