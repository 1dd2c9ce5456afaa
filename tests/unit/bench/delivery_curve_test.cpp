#include "bench/delivery_curve.hpp"

#include <catch2/catch.hpp>

using hookshot::bench::add_sample;
using hookshot::bench::count_at;
using hookshot::bench::delivery_curve;
using hookshot::bench::steady_rate;

TEST_CASE("steady_rate leaves out a slow start and a slow end") {
  // 1,000 expected: 50 in the first second (ramp-up), then 1,000/s, then a slow last 50.
  delivery_curve c{{0.0, 0}, {1.0, 50}};
  for (int i = 1; i <= 9; ++i) c.emplace_back(1.0 + 0.1 * i, 50 + 100 * i);  // 950 at 1.9 s
  c.emplace_back(3.0, 1000);
  // 10 % (100) at 1.05 s, 90 % (900) at 1.85 s: 800 in 0.8 s.
  CHECK(steady_rate(c, 1000) == Approx(1000.0));
  // End to end it is 1,000 in 3 s.
  CHECK(1000 / c.back().first == Approx(333.3).epsilon(0.01));
}

TEST_CASE("steady_rate interpolates between samples") {
  delivery_curve c{{0.0, 0}, {1.0, 200}, {2.0, 400}, {3.0, 600}, {4.0, 800}, {5.0, 1000}};
  CHECK(steady_rate(c, 1000) == Approx(200.0));  // 100 at 0.5 s, 900 at 4.5 s
}

TEST_CASE("steady_rate is 0 when the run cannot be timed") {
  CHECK(steady_rate({}, 1000) == 0);
  CHECK(steady_rate({{0.0, 0}, {1.0, 500}}, 1000) == 0);                // never reached 90 %
  CHECK(steady_rate({{0.0, 0}, {1.0, 1000}}, 1000) == 0);               // one sample: too short
  CHECK(steady_rate({{0.0, 0}, {0.5, 500}, {1.0, 1000}}, 0) == 0);       // nothing expected
}

TEST_CASE("a curve never goes down: a failed poll is left out") {
  delivery_curve c;
  add_sample(c, 0.0, 0);
  add_sample(c, 1.0, 500);
  add_sample(c, 1.5, 0);  // the sink did not answer
  add_sample(c, 2.0, 500);
  add_sample(c, 3.0, 1000);
  CHECK(c == delivery_curve{{0.0, 0}, {1.0, 500}, {2.0, 500}, {3.0, 1000}});
}

TEST_CASE("count_at interpolates between samples and holds at the ends") {
  delivery_curve c{{0.0, 0}, {1.0, 200}, {2.0, 200}, {3.0, 1000}};
  CHECK(count_at(c, 0.5) == Approx(100));
  CHECK(count_at(c, 1.5) == Approx(200));
  CHECK(count_at(c, 2.25) == Approx(400));
  CHECK(count_at(c, 3.0) == Approx(1000));
  CHECK(count_at(c, 9.0) == Approx(1000));  // after the last sample: the final count
  CHECK(count_at(c, -1.0) == Approx(0));    // before the first: the first sample's
  CHECK(count_at({}, 1.0) == 0);
}
