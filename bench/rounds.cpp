#include "bench/rounds.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

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
      std::vector<double> ratios;
      for (const auto& r : rounds) ratios.push_back(r.ratio);
      mean_interval m = mean_with_margin(ratios);
      median.extra["ratio_mean"] = m.mean;
      median.extra["ratio_margin_95"] = *m.margin_95;  // two rounds or more
    }
  }
  return median;
}

double t_quantile_95(std::size_t df) {
  static const double kTable[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                  2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                  2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                  2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (df == 0) df = 1;
  if (df <= std::size(kTable)) return kTable[df - 1];
  const double z = 1.959964, v = static_cast<double>(df);
  return z + (z * z * z + z) / (4 * v) +
         (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * v * v);
}

mean_interval mean_with_margin(const std::vector<double>& values) {
  mean_interval out;
  double n = static_cast<double>(values.size());
  for (double v : values) out.mean += v;
  out.mean /= n;
  if (values.size() >= 2) {
    double squares = 0;
    for (double v : values) squares += (v - out.mean) * (v - out.mean);
    out.margin_95 = t_quantile_95(values.size() - 1) * std::sqrt(squares / (n - 1) / n);
  }
  return out;
}

}  // namespace hookshot::bench
