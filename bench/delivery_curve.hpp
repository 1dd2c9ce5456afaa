#pragma once

// How a run's deliveries arrived over time, and the rate of its steady middle.
//
// An end-to-end rate (deliveries / first event posted to last delivery) includes the ramp-up
// (routing the first events, opening connections, a receiver's latency before the first
// answer) and the last, partly filled wave. A baseline measured in steady state (the ideal
// in-flight cap / latency, a closed loop already full) has neither, so the bench reports both.

#include <cstdint>
#include <utility>
#include <vector>

namespace hookshot::bench {

/// Successful deliveries the sink had counted, sampled over a run: (seconds, count), in the
/// order sampled (times and counts never decrease).
using delivery_curve = std::vector<std::pair<double, std::uint64_t>>;

/// Appends a sample, unless its count is below the last one (a poll of the sink that failed
/// reads as 0): the curve never goes down.
void add_sample(delivery_curve& curve, double seconds, std::uint64_t count);

/// Deliveries per second between the moments 10 % and 90 % of `expected` had arrived (each
/// moment interpolated linearly between the samples around it). 0 when the curve never reaches
/// 90 % of `expected`, or when fewer than 3 samples fall inside the window (too short to time).
double steady_rate(const delivery_curve& curve, std::uint64_t expected);

/// The count at `seconds`, interpolated linearly between the samples around it (the first
/// sample's before it, the last one's after it). 0 for an empty curve.
double count_at(const delivery_curve& curve, double seconds);

}  // namespace hookshot::bench
