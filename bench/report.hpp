#pragma once

// How `hookshot bench` shows its results: a table for people and JSON for machines (one object
// per scenario). The SVG chart is bench/chart.hpp.

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "bench/machine.hpp"
#include "bench/scenarios.hpp"

namespace hookshot::bench {

/// One number printf-formatted with `f` ("%.3f"), as the reports show figures.
std::string fmt(const char* f, double v);
/// A named figure with as many digits as its noise leaves meaningful: a ratio ("ratio",
/// "drain_ratio") 0.584, KiB and seconds ("store_written_kib", "rss_kib_per_webhook",
/// "startup_s") 0.52, a rate ("steady_per_s") 31138, anything else (microseconds, MB, a
/// multiple) 44.8.
std::string figure_text(const std::string& figure, double v);
/// A result's figure by name: "ratio", "deliveries_per_s" and "cpu_us_per_delivery" when
/// above 0 (a scenario that measures none leaves them 0), anything else from its extras. None
/// when the result does not carry it.
std::optional<double> figure_value(const scenario_result& r, const std::string& figure);
/// A table cell: `s` padded with spaces to `width`, right-aligned (`left`: left-aligned).
std::string pad(std::string s, size_t width, bool left = false);

/// "2 cores, ...; a system call 0.07 µs, a hand-over on one core 0.8 µs, to the other core
/// 29.6 µs (19.8 µs CPU)": the machine as every report names it.
std::string machine_summary(const machine& m);

/// Each report names the machine and what it charges for a system call and a wake-up
/// (bench/machine.hpp); the JSON gives the costs as "machine_costs".
std::string format_table(const std::vector<scenario_result>& results, const machine& m);
/// Besides the scenarios, "goals": where the run stands against each goal (bench/goals.hpp).
/// `compared` (hookshot bench --compare): added as "compare", bench/compare.hpp.
std::string format_json(const std::vector<scenario_result>& results, bool quick, const machine& m,
                        const boost::json::object* compared = nullptr);
/// One scenario's object in the JSON report: name, deliveries, seconds, deliveries_per_s,
/// baseline, ratio, latency_ms, cpu_us_per_delivery, peak_rss_mb, errors, and the rest.
boost::json::object scenario_json(const scenario_result& r);

}  // namespace hookshot::bench
