#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "bench/report.hpp"
#include "bench/rounds.hpp"
#include "bench/scenarios.hpp"
#include "src/commands.hpp"

namespace hookshot::cli {
namespace {

const char* kHelp =
    "usage: hookshot bench [--scenario NAME]... [--quick] [--rounds N] [--json FILE]\n"
    "                      [--svg FILE] [--work-dir DIR] [--no-progress]\n"
    "Measures the engine end to end on loopback: each scenario starts its own `hookshot sink`\n"
    "and `hookshot serve` (this binary), drives them, and measures its baselines (raw-curl,\n"
    "wrk when installed, cloudstack-pool, or the ideal rate) in the same run.\n"
    "  --scenario NAME  throughput, fanout, slow-receivers, retries, many-webhooks, recovery\n"
    "                   (repeatable; all by default)\n"
    "  --quick          every scenario scaled down (about a minute in all)\n"
    "  --rounds N       run each scenario N times and report the round with the median ratio,\n"
    "                   with ratio_min and ratio_max over the rounds (default 1)\n"
    "  --json FILE      one object per scenario: name, deliveries, seconds, deliveries_per_s,\n"
    "                   baseline {name, per_s}, ratio, latency_ms {p50, p99, max},\n"
    "                   cpu_us_per_delivery, peak_rss_mb, errors, and more\n"
    "  --svg FILE       a chart: throughput against baselines, latency distribution\n"
    "  --work-dir DIR   where configs, data and logs go (default: a new directory in /tmp,\n"
    "                   removed afterwards)\n";

}  // namespace

int bench(const args& a) {
  if (wants_help(a)) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  bench::bench_options o;
  std::vector<std::string> chosen;
  std::string json_path, svg_path, value;
  long rounds = 1;
  for (size_t i = 0; i < a.size(); ++i) {
    if (take_flag(a, i, "--scenario", value)) {
      chosen.push_back(value);
      continue;
    }
    if (take_flag(a, i, "--rounds", value)) {
      char* end = nullptr;
      rounds = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || rounds < 1 || rounds > 50) {
        std::fprintf(stderr, "hookshot bench: --rounds must be a whole number from 1 to 50, not '%s'\n",
                     value.c_str());
        return 2;
      }
      continue;
    }
    if (take_flag(a, i, "--json", json_path) || take_flag(a, i, "--svg", svg_path) ||
        take_flag(a, i, "--work-dir", o.work_dir))
      continue;
    if (a[i] == "--quick") {
      o.quick = true;
      continue;
    }
    if (a[i] == "--no-progress") {
      o.progress = false;
      continue;
    }
    std::fprintf(stderr, "hookshot bench: unknown argument '%s'\n\n%s", a[i].c_str(), kHelp);
    return 2;
  }
  const auto& known = bench::scenario_names();
  if (chosen.empty()) chosen = known;
  for (const auto& c : chosen)
    if (std::find(known.begin(), known.end(), c) == known.end()) {
      std::fprintf(stderr, "hookshot bench: unknown scenario '%s'\n", c.c_str());
      return 2;
    }
  bool own_dir = o.work_dir.empty();
  if (own_dir) {
    char tmpl[] = "/tmp/hookshot-bench-XXXXXX";
    o.work_dir = mkdtemp(tmpl);
  }
  std::printf("hookshot bench%s: %s\n", o.quick ? " --quick" : "", bench::machine_description().c_str());
  std::fflush(stdout);
  std::vector<bench::scenario_result> results;
  int rc = 0;
  for (const auto& name : chosen) {
    // by_result[i]: every round of the scenario's i-th result (throughput has two).
    std::vector<std::vector<bench::scenario_result>> by_result;
    for (long round = 0; round < rounds; ++round) {
      auto r = bench::run_scenario(name, o);
      if (!r) {
        std::fprintf(stderr, "\nhookshot bench: %s failed: %s (logs in %s)\n", name.c_str(),
                     r.error().message().c_str(), o.work_dir.c_str());
        rc = 1;
        own_dir = false;  // keep the logs
        by_result.clear();
        break;
      }
      by_result.resize(std::max(by_result.size(), r->size()));
      for (size_t i = 0; i < r->size(); ++i) by_result[i].push_back(std::move((*r)[i]));
    }
    for (auto& all_rounds : by_result) results.push_back(bench::median_round(std::move(all_rounds)));
  }
  std::printf("\n%s", bench::format_table(results).c_str());
  if (!json_path.empty()) std::ofstream(json_path) << bench::format_json(results, o.quick) << "\n";
  if (!svg_path.empty()) std::ofstream(svg_path) << bench::format_svg(results);
  if (own_dir) std::system(("rm -rf '" + o.work_dir + "'").c_str());
  return rc;
}

}  // namespace hookshot::cli
