#pragma once

// Whether a quantity sampled over a long run levels off: the soak scenario's memory and data
// file. A quantity that grows while the load stays the same (a leak, a store that never reuses
// its pages) shows as a slope that does not fall to about 0 once the run has settled.

#include <optional>
#include <utility>
#include <vector>

namespace hookshot::bench {

/// A quantity sampled over a run: (seconds, value), in the order sampled (times never decrease).
using trend = std::vector<std::pair<double, double>>;

/// The value of the first sample at or after `seconds` (the last sample's when none is).
/// nullopt for an empty trend.
std::optional<double> value_at(const trend& t, double seconds);

/// The least-squares slope of the samples at or after `from` seconds, in value per minute:
/// how fast the quantity still grows after it should have settled. nullopt with fewer than
/// three such samples, or when they span no time.
std::optional<double> per_minute_after(const trend& t, double from);

}  // namespace hookshot::bench
