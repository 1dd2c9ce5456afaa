#include "bench/rounds.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using hookshot::bench::mean_with_margin;
using hookshot::bench::median_round;
using hookshot::bench::scenario_result;
using hookshot::bench::t_quantile_95;

namespace {

scenario_result round_of(double ratio, double per_s) {
  scenario_result r;
  r.name = "throughput-os";
  r.ratio = ratio;
  r.deliveries_per_s = per_s;
  return r;
}

}  // namespace

TEST_CASE("Student's t at 95 % follows its table and then the normal quantile") {
  CHECK(t_quantile_95(1) == Approx(12.706));
  CHECK(t_quantile_95(7) == Approx(2.365));
  CHECK(t_quantile_95(30) == Approx(2.042));
  CHECK(t_quantile_95(31) == Approx(2.0395).epsilon(1e-3));
  CHECK(t_quantile_95(60) == Approx(2.0003).epsilon(1e-3));
  CHECK(t_quantile_95(1000) == Approx(1.9623).epsilon(1e-3));
  CHECK(t_quantile_95(31) < t_quantile_95(30));
}

TEST_CASE("a mean carries half its 95 % interval from two measurements on") {
  auto one = mean_with_margin({0.7});
  CHECK(one.mean == Approx(0.7));
  CHECK_FALSE(one.margin_95);

  // 0.02, -0.02, 0.04: sample variance 0.0018667 / 2, standard error sqrt(that / 3).
  auto three = mean_with_margin({0.02, -0.02, 0.04});
  CHECK(three.mean == Approx(0.04 / 3));
  REQUIRE(three.margin_95);
  CHECK(*three.margin_95 == Approx(4.303 * 0.0176383).epsilon(1e-4));

  auto same = mean_with_margin({5, 5, 5, 5});
  REQUIRE(same.margin_95);
  CHECK(*same.margin_95 == 0);
}

TEST_CASE("rounds report the median round with the range, the mean and its interval") {
  auto r = median_round({round_of(0.70, 100), round_of(0.60, 300), round_of(0.74, 200),
                         round_of(0.66, 50), round_of(0.68, 400)});
  CHECK(r.ratio == Approx(0.68));  // sorted 0.60 0.66 0.68 0.70 0.74
  CHECK(r.deliveries_per_s == 400);  // the median round whole, not a mix of rounds
  CHECK(r.extra.at("rounds") == 5);
  CHECK(r.extra.at("ratio_min") == Approx(0.60));
  CHECK(r.extra.at("ratio_max") == Approx(0.74));
  CHECK(r.extra.at("ratio_mean") == Approx(0.676));
  // Deviations -0.076 -0.016 0.004 0.024 0.064: squares 0.01072, t(4) = 2.776.
  CHECK(r.extra.at("ratio_margin_95") == Approx(2.776 * std::sqrt(0.01072 / 4 / 5)).epsilon(1e-4));
}

TEST_CASE("one round is reported as it is, and unrated rounds by their rate") {
  auto single = median_round({round_of(0.7, 100)});
  CHECK(single.ratio == Approx(0.7));
  CHECK(single.extra.count("rounds") == 0);
  CHECK(single.extra.count("ratio_margin_95") == 0);

  auto unrated = median_round({round_of(0, 300), round_of(0, 100), round_of(0, 200)});
  CHECK(unrated.deliveries_per_s == 200);
  CHECK(unrated.extra.at("rounds") == 3);
  CHECK(unrated.extra.count("ratio_mean") == 0);
}
