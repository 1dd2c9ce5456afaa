#pragma once

// How `hookshot bench` shows its results: a table for people, JSON for machines (one object
// per scenario), and an SVG chart (throughput against baselines, latency distribution).

#include <string>
#include <vector>

#include "bench/machine.hpp"
#include "bench/scenarios.hpp"

namespace hookshot::bench {

/// "2 cores, ...; a system call 0.07 µs, a hand-over on one core 0.8 µs, to the other core
/// 29.6 µs (19.8 µs CPU)": the machine as every report names it.
std::string machine_summary(const machine& m);

/// Each report names the machine and what it charges for a system call and a wake-up
/// (bench/machine.hpp); the JSON gives the costs as "machine_costs".
std::string format_table(const std::vector<scenario_result>& results, const machine& m);
std::string format_json(const std::vector<scenario_result>& results, bool quick, const machine& m);
std::string format_svg(const std::vector<scenario_result>& results, const machine& m);

}  // namespace hookshot::bench
