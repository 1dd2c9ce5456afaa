#include "bench/run_phases.hpp"

#include <algorithm>

namespace hookshot::bench {

namespace {

double all_cpu(const run_mark& m) { return m.engine_cpu + m.sink_cpu + m.bench_cpu; }

}  // namespace

thread_usage usage_of(const run_mark& m, const std::string& role) {
  auto found = m.threads.find(role);
  return found == m.threads.end() ? thread_usage{} : found->second;
}

void add_drain_figures(std::map<std::string, double>& extra, const run_mark& start,
                       const run_mark& posted, const run_mark& end, std::uint64_t events) {
  double n = static_cast<double>(end.delivered - std::min(end.delivered, posted.delivered));
  double seconds = end.t - posted.t;
  if (n <= 0 || n * 10 < static_cast<double>(end.delivered) || seconds < 0.2) return;
  double drain_all_us = (all_cpu(end) - all_cpu(posted)) * 1e6 / n;
  extra["drain_per_s"] = n / seconds;
  extra["drain_cpu_us"] = (end.engine_cpu - posted.engine_cpu) * 1e6 / n;
  extra["drain_all_cpu_us"] = drain_all_us;
  // The microseconds `run_s` seconds of the whole run spent beyond its deliveries at
  // `drain_us` each; per_event adds them per event accepted.
  double delivered = static_cast<double>(end.delivered - std::min(end.delivered, start.delivered));
  auto beyond = [&](double run_s, double drain_us) { return run_s * 1e6 - drain_us * delivered; };
  auto per_event = [&](const std::string& key, double run_s, double drain_us) {
    if (events > 0) extra[key] = beyond(run_s, drain_us) / static_cast<double>(events);
  };
  for (const auto& [role, u] : end.threads) {
    if (role == "other") continue;
    double drain_us = (u.cpu_seconds - usage_of(posted, role).cpu_seconds) * 1e6 / n;
    extra["drain_cpu_us_" + role] = drain_us;
    per_event("ingest_cpu_us_" + role, u.cpu_seconds - usage_of(start, role).cpu_seconds, drain_us);
  }
  per_event("ingest_cpu_us_per_event", all_cpu(end) - all_cpu(start), drain_all_us);
  if (delivered > 0)
    extra["ingest_cpu_us_per_delivery"] = beyond(all_cpu(end) - all_cpu(start), drain_all_us) / delivered;
}

void add_role_figures(std::map<std::string, double>& extra, const run_mark& start,
                      const run_mark& end, std::uint64_t deliveries) {
  if (deliveries == 0) return;
  const double n = static_cast<double>(deliveries);
  for (const auto& [role, u] : end.threads) {
    if (role == "other") continue;
    const thread_usage was = usage_of(start, role);
    extra["cpu_us_" + role] = (u.cpu_seconds - was.cpu_seconds) * 1e6 / n;
    extra["switches_" + role] = (u.switches - was.switches) / n;
    extra["faults_" + role] = (u.faults - was.faults) / n;
    // With durability os the writable map is written back by the kernel, and this is 0.
    if (role == "writer")
      extra["store_written_kib"] = (u.written_bytes - was.written_bytes) / 1024 / n;
  }
}

void add_phase_ratios(std::map<std::string, double>& extra, double baseline_per_s) {
  if (baseline_per_s <= 0) return;
  for (const std::string phase : {"steady", "drain"}) {
    auto rate = extra.find(phase + "_per_s");
    if (rate != extra.end()) extra[phase + "_ratio"] = rate->second / baseline_per_s;
  }
}

}  // namespace hookshot::bench
