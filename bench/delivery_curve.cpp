#include "bench/delivery_curve.hpp"

#include <algorithm>
#include <optional>

namespace hookshot::bench {

namespace {

// When the count first reached `target`, interpolated between the samples around it.
std::optional<double> time_of(const delivery_curve& curve, double target) {
  for (size_t i = 0; i < curve.size(); ++i) {
    auto [t1, n1] = curve[i];
    if (static_cast<double>(n1) < target) continue;
    if (i == 0) return t1;
    auto [t0, n0] = curve[i - 1];
    double part = (target - static_cast<double>(n0)) / static_cast<double>(n1 - n0);
    return t0 + std::clamp(part, 0.0, 1.0) * (t1 - t0);
  }
  return std::nullopt;
}

}  // namespace

void add_sample(delivery_curve& curve, double seconds, std::uint64_t count) {
  if (curve.empty() || count >= curve.back().second) curve.emplace_back(seconds, count);
}

double steady_rate(const delivery_curve& curve, std::uint64_t expected) {
  if (expected == 0) return 0;
  auto lo = time_of(curve, 0.1 * static_cast<double>(expected));
  auto hi = time_of(curve, 0.9 * static_cast<double>(expected));
  if (!lo || !hi || *hi <= *lo) return 0;
  auto inside = std::count_if(curve.begin(), curve.end(),
                              [&](const auto& s) { return s.first >= *lo && s.first <= *hi; });
  if (inside < 3) return 0;
  return 0.8 * static_cast<double>(expected) / (*hi - *lo);
}

double count_at(const delivery_curve& curve, double seconds) {
  if (curve.empty()) return 0;
  auto after = std::find_if(curve.begin(), curve.end(), [&](const auto& s) { return s.first >= seconds; });
  if (after == curve.end()) return static_cast<double>(curve.back().second);
  if (after == curve.begin() || after->first == seconds) return static_cast<double>(after->second);
  auto [t0, n0] = *std::prev(after);
  double part = (seconds - t0) / (after->first - t0);
  return static_cast<double>(n0) + part * static_cast<double>(after->second - n0);
}

}  // namespace hookshot::bench
