#pragma once

// A delivering run in two phases: while its events are posted, and the drain after the last one
// was accepted, until the last delivery.
//
// No event comes in during the drain, so each delivery there costs the cores only itself. A run
// that posts events faster than it delivers them (throughput's backlog) spends most of its
// ingest before the drain, so the end-to-end rate mixes two prices: a delivery's, and taking an
// event in (posting it, the intake, routing, storing it, and the delivering threads' share of
// the cores it takes meanwhile). The drain's figures tell them apart.

#include <cstdint>
#include <map>
#include <string>

#include "bench/processes.hpp"

namespace hookshot::bench {

/// What the machine had spent, and the sink had counted, at one moment of a delivering run.
struct run_mark {
  double t = 0;                                        // monotonic seconds
  std::uint64_t delivered = 0;                         // successful deliveries the sink counted
  double engine_cpu = 0, sink_cpu = 0, bench_cpu = 0;  // seconds, user + system
  std::map<std::string, thread_usage> threads;         // the engine's, by role
};

/// `m`'s usage by the engine's threads of `role`; none (zeros) when it had no such thread then.
thread_usage usage_of(const run_mark& m, const std::string& role);

/// Adds the drain's figures to `extra`, given the marks at the run's start, when the last event
/// was accepted, and at its end, and the events accepted: drain_per_s; drain_cpu_us (the
/// engine's CPU per delivery in the drain), drain_cpu_us_<role> (its threads' by role, "other"
/// left out) and drain_all_cpu_us (the engine's, the sink's and the bench's); and
/// ingest_cpu_us_per_event: what the whole run spent on all three beyond its deliveries at the
/// drain's price, per event accepted, with ingest_cpu_us_<role> the same for each role of the
/// engine's threads (which of them an event's intake costs); and ingest_cpu_us_per_delivery, the
/// same beyond-the-drain CPU per delivery (what a delivery's share of taking its event in cost:
/// the per-event figure where each event is one delivery, a thousandth of it in fan-out). Nothing
/// is added when the drain held less than a tenth of the run's deliveries or lasted less than
/// 0.2 s (too short to time).
void add_drain_figures(std::map<std::string, double>& extra, const run_mark& start,
                       const run_mark& posted, const run_mark& end, std::uint64_t events);

/// Adds where the engine's CPU went between two marks, per delivery, by the role of its threads
/// ("other" left out): cpu_us_<role> (the HTTP loops' comparable with raw-curl's), how often
/// they were switched out, waiting or preempted (switches_<role>: wake-ups cost dearly across
/// vCPUs), their page faults (faults_<role>: a growing store, a growing heap), and the KiB the
/// writer handed to the data file (store_written_kib). Nothing when nothing was delivered.
void add_role_figures(std::map<std::string, double>& extra, const run_mark& start,
                      const run_mark& end, std::uint64_t deliveries);

/// Adds steady_ratio and drain_ratio: steady_per_s and drain_per_s over `baseline_per_s`, for
/// those `extra` has (none when the baseline is not positive).
void add_phase_ratios(std::map<std::string, double>& extra, double baseline_per_s);

}  // namespace hookshot::bench
