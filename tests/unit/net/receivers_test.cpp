// The HTTP loop's receivers: a receiver's first round is timed from its first request going out
// (connecting does not count against it), and receivers are forgotten only when nothing refers
// to them.

#include "net/receivers.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace hookshot;
using namespace hookshot::net;
using std::chrono::milliseconds;

namespace {

size_t published(const receivers& rs, const std::string& origin) {
  for (const auto& [o, n] : rs.limits())
    if (o == origin) return n;
  return 0;
}

}  // namespace

TEST_CASE("a receiver's first round is timed from its first request sent", "[net][receivers]") {
  receivers rs(concurrency_limit::options{});  // 8 to 512 in flight
  const auto t0 = receivers::clock::now();
  receiver& r = rs.of("https://hooks.example:8443/a");
  CHECK(&rs.of("https://hooks.example:8443/b") == &r);  // one receiver per origin
  const size_t first = r.share.limit();
  REQUIRE(r.share.in_first_round());
  REQUIRE(first < 512);

  // Connecting (a handshake, say) takes a second: the round has not started, nothing ends it.
  CHECK(rs.first_round_wait_ms(1000, t0) == 1000);
  rs.end_due_first_rounds(t0 + milliseconds(1000));
  CHECK(r.share.in_first_round());
  CHECK(r.share.limit() == first);

  // Its first request goes out: the round ends kFirstRoundMs later, and a second one sent
  // meanwhile does not move that.
  const auto sent = t0 + milliseconds(1000);
  rs.sending(r, sent);
  rs.sending(r, sent + milliseconds(5));
  CHECK(rs.first_round_wait_ms(1000, sent) == receivers::kFirstRoundMs.count());
  rs.end_due_first_rounds(sent + receivers::kFirstRoundMs - milliseconds(1));
  CHECK(r.share.in_first_round());
  rs.end_due_first_rounds(sent + receivers::kFirstRoundMs);
  CHECK_FALSE(r.share.in_first_round());
  CHECK(r.share.limit() == 512);  // no answer within it: a slow receiver, the whole loop
  CHECK(published(rs, "https://hooks.example:8443") == 512);
  CHECK(rs.first_round_wait_ms(1000, sent + receivers::kFirstRoundMs) == 1000);

  rs.sending(r, sent + milliseconds(100));  // after its first round: nothing to time
  CHECK(rs.first_round_wait_ms(1000, sent + milliseconds(100)) == 1000);
}

TEST_CASE("a first round ended by its answers is not ended again when its time comes",
          "[net][receivers]") {
  receivers rs(concurrency_limit::options{});  // 8 to 512 in flight
  const auto t0 = receivers::clock::now();
  receiver& r = rs.of("http://127.0.0.1:9/x");
  rs.sending(r, t0);
  for (int i = 0; i < 8; ++i) rs.answered(r, 200);  // eight answers in 200 µs: measured
  REQUIRE_FALSE(r.share.in_first_round());
  const size_t measured = r.share.limit();
  CHECK(measured < 512);
  rs.end_due_first_rounds(t0 + receivers::kFirstRoundMs);
  CHECK(r.share.limit() == measured);
}

TEST_CASE("idle receivers are forgotten, but not one whose first round is timed",
          "[net][receivers]") {
  receivers rs(concurrency_limit::options{});  // 8 to 512 in flight
  const auto t0 = receivers::clock::now();
  receiver& timed = rs.of("http://timed.example/x");
  rs.sending(timed, t0);
  for (int i = 0; i < 300; ++i) rs.of("http://idle-" + std::to_string(i) + ".example/x");
  REQUIRE(rs.limits().size() == 301);
  rs.forget_idle();
  // The idle ones never sent a request (no connection came up): forgotten, first round and
  // all. The timed one stays until its round's end has been handled.
  REQUIRE(rs.limits().size() == 1);
  CHECK(rs.limits()[0].first == "http://timed.example");
  rs.end_due_first_rounds(t0 + receivers::kFirstRoundMs);
  CHECK(timed.share.limit() == 512);
}
