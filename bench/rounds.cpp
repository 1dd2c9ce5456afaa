#include "bench/rounds.hpp"

#include <algorithm>

namespace hookshot::bench {

scenario_result median_round(std::vector<scenario_result> rounds) {
  bool rated = std::any_of(rounds.begin(), rounds.end(),
                           [](const scenario_result& r) { return r.ratio > 0; });
  auto key = [rated](const scenario_result& r) { return rated ? r.ratio : r.deliveries_per_s; };
  std::sort(rounds.begin(), rounds.end(),
            [&](const scenario_result& a, const scenario_result& b) { return key(a) < key(b); });
  scenario_result median = rounds[(rounds.size() - 1) / 2];
  if (rounds.size() > 1) {
    median.extra["rounds"] = static_cast<double>(rounds.size());
    if (rated) {
      median.extra["ratio_min"] = rounds.front().ratio;
      median.extra["ratio_max"] = rounds.back().ratio;
    }
  }
  return median;
}

}  // namespace hookshot::bench
