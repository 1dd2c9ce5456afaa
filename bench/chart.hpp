#pragma once

// The bench's SVG chart (`hookshot bench --svg FILE`, shown by docs/benchmarks.md). Three
// panels:
//   deliveries/s      each delivering scenario's engine rate beside its baseline's, the ratio
//                     written over the engine's bar;
//   latency           p50, p99 and max on a log scale, 0.1 ms to 10 s;
//   over time         each delivery curve as a share of the run's deliveries against seconds,
//                     with a dot where the last event was posted (extra "posted_s"): what
//                     one rate hides, the intake's share while events come in and a tail.
// Text from the machine and the results is escaped for XML.

#include <string>
#include <vector>

#include "bench/machine.hpp"
#include "bench/scenarios.hpp"

namespace hookshot::bench {

/// The chart of `results` on `m`, as an SVG document. Results with no deliveries (many-webhooks)
/// are left out; a run without a baseline gets its engine bar alone.
std::string format_svg(const std::vector<scenario_result>& results, const machine& m);

/// `text` with &, <, >, ' and " written as XML entities.
std::string xml_escape(const std::string& text);

/// An axis's top: the smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten that is
/// at least `v` (its quarters and tenths are round numbers); 1 for anything at or below 0.
double axis_top(double v);

}  // namespace hookshot::bench
