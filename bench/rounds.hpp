#pragma once

// Repeated rounds of one scenario, reduced to one result. The machine is shared and noisy:
// a single run's ratio moves by ±10 % or more, so `hookshot bench --rounds N` runs each
// scenario N times (each round measuring the engine and its baselines side by side) and
// reports the round with the median ratio, with the range over all rounds.

#include <vector>

#include "bench/scenarios.hpp"

namespace hookshot::bench {

/// The round whose ratio is the median (by deliveries/s where there is no ratio), with
/// extra figures "rounds", "ratio_min" and "ratio_max". `rounds` must not be empty; every
/// element is one round of the same scenario.
scenario_result median_round(std::vector<scenario_result> rounds);

}  // namespace hookshot::bench
