#pragma once

// The benchmark scenarios of `hookshot bench`. Each starts its own sink(s) and its own engine
// (this binary, `sink` and `serve`, as child processes on loopback), drives it, measures it,
// measures its baselines in the same run, and stops everything it started.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/baselines.hpp"
#include "bench/delivery_curve.hpp"
#include "core/status.hpp"

namespace hookshot::bench {

struct bench_options {
  bool quick = false;        // every scenario scaled down (all of them within about a minute)
  std::string work_dir;      // temporary files (configs, data, logs)
  bool progress = true;      // a progress line on stderr
  std::string engine;        // the binary whose `serve` is measured (empty: this one); the
                             // sinks and baselines are always this binary's
  double soak_seconds = 0;   // soak: how long the events come in (0: 120 s, 10 with quick)
  double soak_rate = 0;      // soak: events a second (0: 5,000)
  std::string soak_durability = "fsync";  // soak: the store's durability, "fsync" or "os"
};

struct scenario_result {
  std::string name;
  std::uint64_t deliveries = 0;  // successful deliveries the sink counted
  double seconds = 0;            // from the first event posted to the last delivery
  double deliveries_per_s = 0;
  std::optional<baseline_result> baseline;  // the one the ratio is taken against
  std::vector<baseline_result> other_baselines;
  double ratio = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;  // ingest-to-receipt latency
  double cpu_us_per_delivery = 0;
  double peak_rss_mb = 0;
  double disk_bytes_per_record = 0;
  std::uint64_t errors = 0;  // deliveries expected but not made, refused intake requests
  std::map<std::string, double> extra;  // scenario-specific figures
  // Delivering runs: the sink's count of successful deliveries sampled every 20 ms, in
  // seconds from the run's start (its shape shows what one rate hides: the intake's share
  // while events come in, a tail one HTTP loop ends alone).
  delivery_curve curve;
  std::string note;
};

/// Names in the order they run by default.
const std::vector<std::string>& scenario_names();

/// Scenarios that run only when named with --scenario: `soak`, a steady load for minutes
/// (bench_options::soak_seconds at soak_rate events a second) reporting whether the engine's
/// memory and data file level off.
const std::vector<std::string>& named_only_scenario_names();

/// Runs one scenario; a scenario may produce more than one result (throughput runs twice).
result<std::vector<scenario_result>> run_scenario(const std::string& name, const bench_options& o);

}  // namespace hookshot::bench
