#include "bench/trend.hpp"

namespace hookshot::bench {

std::optional<double> value_at(const trend& t, double seconds) {
  if (t.empty()) return std::nullopt;
  for (const auto& [at, value] : t)
    if (at >= seconds) return value;
  return t.back().second;
}

std::optional<double> per_minute_after(const trend& t, double from) {
  // Sums over the samples taken from `from` on, with times relative to the first of them so
  // that the squares stay small.
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, origin = 0;
  for (const auto& [at, value] : t) {
    if (at < from) continue;
    if (n == 0) origin = at;
    double x = at - origin;
    n += 1;
    sx += x;
    sy += value;
    sxx += x * x;
    sxy += x * value;
  }
  double spread = n * sxx - sx * sx;
  if (n < 3 || spread <= 0) return std::nullopt;
  return (n * sxy - sx * sy) / spread * 60;
}

}  // namespace hookshot::bench
