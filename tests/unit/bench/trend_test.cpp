#include "bench/trend.hpp"

#include <catch2/catch.hpp>

using hookshot::bench::per_minute_after;
using hookshot::bench::trend;
using hookshot::bench::value_at;

TEST_CASE("a quantity that levels off has no slope once settled") {
  // Grows by 10 a second for 30 s, then stays at 300.
  trend t;
  for (int s = 0; s <= 120; s += 5) t.emplace_back(s, s < 30 ? 10.0 * s : 300.0);
  CHECK(*per_minute_after(t, 30) == Approx(0.0).margin(1e-9));
  // From the start the growth shows.
  CHECK(*per_minute_after(t, 0) > 0);
  CHECK(*value_at(t, 30) == 300);
}

TEST_CASE("a steady growth is its rate per minute, noise or not") {
  trend t;
  for (int s = 0; s <= 60; ++s) t.emplace_back(s, 100 + 0.5 * s + (s % 2 ? 0.25 : -0.25));
  // 0.5 a second is 30 a minute; the alternating noise moves the fit by well under 1 %.
  CHECK(*per_minute_after(t, 10) == Approx(30.0).epsilon(0.01));
}

TEST_CASE("a trend too short to fit has no slope") {
  CHECK_FALSE(per_minute_after({}, 0));
  CHECK_FALSE(per_minute_after({{0, 1}, {1, 2}}, 0));              // two samples
  CHECK_FALSE(per_minute_after({{0, 1}, {1, 2}, {2, 3}}, 1));      // two after `from`
  CHECK_FALSE(per_minute_after({{5, 1}, {5, 2}, {5, 3}}, 0));      // no time between them
}

TEST_CASE("value_at takes the first sample at or after the time, else the last") {
  trend t{{0, 10}, {1, 20}, {2, 30}};
  CHECK(*value_at(t, 0.5) == 20);
  CHECK(*value_at(t, 2) == 30);
  CHECK(*value_at(t, 9) == 30);
  CHECK_FALSE(value_at({}, 0));
}
