#pragma once

// How `hookshot bench` shows its results: a table for people, JSON for machines (one object
// per scenario), and an SVG chart (throughput against baselines, latency distribution).

#include <string>
#include <vector>

#include "bench/scenarios.hpp"

namespace hookshot::bench {

/// "2 cores, AMD EPYC ..., Linux 6.1.0-..." for the header of every report.
std::string machine_description();

std::string format_table(const std::vector<scenario_result>& results);
std::string format_json(const std::vector<scenario_result>& results, bool quick);
std::string format_svg(const std::vector<scenario_result>& results);

}  // namespace hookshot::bench
