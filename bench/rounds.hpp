#pragma once

// Repeated rounds of one scenario, reduced to one result. The machine is shared and noisy:
// a single run's ratio moves by ±10 % or more, so `hookshot bench --rounds N` runs each
// scenario N times (each round measuring the engine and its baselines side by side) and
// reports the round with the median ratio, with the range over all rounds and their mean with
// its 95 % confidence interval. The same statistics judge the pairs of `--compare`.

#include <cstddef>
#include <optional>
#include <vector>

#include "bench/scenarios.hpp"

namespace hookshot::bench {

/// The round whose ratio is the median (by deliveries/s where there is no ratio), with
/// extra figures "rounds", "ratio_min", "ratio_max", "ratio_mean" and "ratio_margin_95" (see
/// mean_with_margin). `rounds` must not be empty; every element is one round of the same
/// scenario.
scenario_result median_round(std::vector<scenario_result> rounds);

/// The two-sided 95 % quantile of Student's t with `df` degrees of freedom (0 is read as 1,
/// the fewest a margin can have): exact to three decimals for df <= 30, Cornish-Fisher's
/// expansion above.
double t_quantile_95(std::size_t df);

/// A mean of independent measurements and half its 95 % confidence interval (Student's t):
/// the interval is mean +- margin_95. None with fewer than two measurements.
struct mean_interval {
  double mean = 0;
  std::optional<double> margin_95;
};
/// `values` must not be empty.
mean_interval mean_with_margin(const std::vector<double>& values);

}  // namespace hookshot::bench
