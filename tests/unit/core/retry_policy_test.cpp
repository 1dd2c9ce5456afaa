#include "core/retry_policy.hpp"

#include <catch2/catch.hpp>

using namespace hookshot;

namespace {

// Replays fixed "random" numbers so jitter is exact.
class fixed_random final : public random_source {
 public:
  explicit fixed_random(double v) : v_(v) {}
  double uniform() override { return v_; }

 private:
  double v_;
};

}  // namespace

TEST_CASE("the backoff schedule is followed and its last value repeats", "[retry]") {
  retry_policy p;
  p.backoff_s = *retry_policy::parse_backoff("1, 5,30");
  fixed_random mid(0.5);  // no jitter: 0.8 + 0.4 * 0.5 = 1.0
  CHECK(p.delay_after(1, std::nullopt, mid) == 1000);
  CHECK(p.delay_after(2, std::nullopt, mid) == 5000);
  CHECK(p.delay_after(3, std::nullopt, mid) == 30000);
  CHECK(p.delay_after(9, std::nullopt, mid) == 30000);
}

TEST_CASE("jitter stays within plus or minus 20 percent, and 0 stays 0", "[retry]") {
  retry_policy p;
  p.backoff_s = {10};
  fixed_random low(0.0), high(0.999999);
  CHECK(p.delay_after(1, std::nullopt, low) == 8000);
  CHECK(p.delay_after(1, std::nullopt, high) == 12000);
  seeded_random rng(42);
  for (int i = 0; i < 1000; ++i) {
    millis d = p.delay_after(1, std::nullopt, rng);
    REQUIRE(d >= 8000);
    REQUIRE(d <= 12000);
  }
  p.backoff_s = {0};
  CHECK(p.delay_after(1, std::nullopt, high) == 0);
}

TEST_CASE("fractions of a second are allowed in the schedule", "[retry]") {
  retry_policy p;
  p.backoff_s = *retry_policy::parse_backoff("0.25");
  fixed_random mid(0.5);
  CHECK(p.delay_after(1, std::nullopt, mid) == 250);
}

TEST_CASE("tries counts total attempts, as CloudStack does", "[retry]") {
  retry_policy p;
  p.tries = 3;
  CHECK(p.may_retry(1));
  CHECK(p.may_retry(2));
  CHECK_FALSE(p.may_retry(3));
}

TEST_CASE("Retry-After is honoured up to the cap, never below the schedule", "[retry]") {
  retry_policy p;
  p.backoff_s = {1};
  p.retry_after_max_s = 60;
  fixed_random mid(0.5);
  CHECK(p.delay_after(1, 30.0, mid) == 30000);
  CHECK(p.delay_after(1, 3600.0, mid) == 60000);
  CHECK(p.delay_after(1, 0.0, mid) == 1000);
}

TEST_CASE("Retry-After parses seconds and HTTP dates against an injected clock", "[retry]") {
  manual_clock clock(1700000000000);  // 2023-11-14T22:13:20Z
  CHECK(parse_retry_after("120", clock.now_ms()) == 120.0);
  CHECK(parse_retry_after(" 7\r\n", clock.now_ms()) == 7.0);
  CHECK(parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT", clock.now_ms()) == 60.0);
  clock.advance(120000);
  CHECK(parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT", clock.now_ms()) == 0.0);
  CHECK_FALSE(parse_retry_after("soon", clock.now_ms()).has_value());
  CHECK_FALSE(parse_retry_after("", clock.now_ms()).has_value());
}

TEST_CASE("malformed backoff lists are refused", "[retry]") {
  CHECK_FALSE(retry_policy::parse_backoff("").is_ok());
  CHECK_FALSE(retry_policy::parse_backoff("1,,2").is_ok());
  CHECK_FALSE(retry_policy::parse_backoff("-1").is_ok());
  CHECK_FALSE(retry_policy::parse_backoff("1,two").is_ok());
  CHECK(*retry_policy::parse_backoff("0") == std::vector<double>{0});
}
