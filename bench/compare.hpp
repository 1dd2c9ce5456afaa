#pragma once

// Two builds' engines measured in the same run (`hookshot bench --compare PATH`): every round
// runs each scenario with this binary's engine (A) and with PATH's (B), against this binary's
// sink and baselines, A first in rounds 1, 3, 5, ... and B first in the others. The machine's speed
// drifts by a third within minutes, so two builds measured minutes apart, or one after the
// other in a fixed order, differ by more than most changes do; side by side in alternating
// order the drift falls on both alike, and each round's pair is one comparison. The pairs are
// what this reports: each side's mean, the mean of B - A with its 95 % confidence interval,
// and in how many pairs B was ahead.

#include <boost/json.hpp>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "bench/scenarios.hpp"

namespace hookshot::bench {

/// True when engine A runs first in `round` (counted from 0): A then B, then B then A, ...
inline bool a_runs_first(long round) { return round % 2 == 0; }

/// Every round of one scenario result (throughput has two per round) with both engines.
/// `a` and `b` have one element per round, in round order.
struct compared_result {
  std::string name;
  std::vector<scenario_result> a, b;
};

struct comparison {
  std::string engine_b;  // PATH, as given
  std::vector<compared_result> results;

  /// The rounds measured: every result has one per round (a scenario that failed in any
  /// round is left out whole), so the first result's count is every result's.
  size_t rounds() const { return results.empty() ? 0 : results.front().a.size(); }
};

/// What one compared figure came to over the pairs.
struct pair_summary {
  std::string figure;   // "ratio", "deliveries_per_s", "cpu_us_per_delivery" or an extra's key
  double mean_a = 0, mean_b = 0;
  double mean_difference = 0;  // mean of (B - A) per pair
  /// Half the 95 % confidence interval of mean_difference over the pairs' differences
  /// (bench/rounds.hpp, mean_with_margin): mean_difference +- margin_95. None with one pair.
  std::optional<double> margin_95;
  size_t b_higher = 0;  // pairs where B's figure was the higher
  size_t pairs = 0;

  /// The interval leaves out 0: over these pairs B and A differ in this figure.
  bool shown() const { return margin_95 && std::abs(mean_difference) > *margin_95; }
};

/// The figures of `r` worth comparing, each present in every round of both sides: the ratio
/// (rated scenarios), deliveries/s and the steady middle's rate; the engine's CPU per
/// delivery and by thread role; the drain's ratio and CPU; raw-curl's CPU per request; the
/// store's bytes written; and the memory, start-up and recovery figures of the scenarios
/// without a ratio.
std::vector<pair_summary> summarize(const compared_result& r);

/// A table for people: per result, each figure's means, B - A with its 95 % margin (marked
/// `*` when the interval leaves out 0) and B's count of higher pairs, then the rounds' ratios
/// side by side.
std::string format_comparison(const comparison& c);

/// {"engine": PATH, "rounds": N, "results": [{"name", "summaries": [{"figure", "mean_a",
/// "mean_b", "mean_difference", "margin_95" (null with one pair), "b_higher", "pairs"}],
/// "rounds": [{"round", "first": "a"|"b", "ratio_a", "ratio_b"}]}], "scenarios": [B's median
/// rounds]}: with `scenario_json` the same objects as the report's "scenarios".
boost::json::object comparison_json(const comparison& c);

}  // namespace hookshot::bench
