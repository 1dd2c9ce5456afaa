#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "bench/report.hpp"
#include "bench/rounds.hpp"
#include "bench/scenarios.hpp"
#include "bench/store_replay.hpp"
#include "src/commands.hpp"

namespace hookshot::cli {
namespace {

const char* kHelp =
    "usage: hookshot bench [--scenario NAME]... [--quick] [--rounds N] [--json FILE]\n"
    "                      [--svg FILE] [--work-dir DIR] [--no-progress] [--store-replay]\n"
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
    "                   removed afterwards)\n"
    "  --store-replay   instead of the scenarios: the writer alone, replaying throughput's\n"
    "                   writes (64 webhooks, 200,000 deliveries [20,000 with --quick]) with\n"
    "                   fsync and os, with and without delivery records, --rounds times in\n"
    "                   turn: storage's CPU per delivery without the rest of the engine\n";

// `--store-replay`: each round replays the four variants in turn, so the machine's drift
// falls on all of them alike.
int store_replay(const bench::bench_options& o, long rounds) {
  std::printf("%-6s %-10s %12s %12s %12s %8s %9s\n", "round", "variant", "cpu-us/deliv",
              "wall-us/deliv", "KiB-written", "records", "catch-up");
  for (long round = 1; round <= rounds; ++round)
    for (auto d : {storage::durability::fsync, storage::durability::os})
      for (bool records : {true, false}) {
        std::string variant = std::string(d == storage::durability::os ? "os" : "fsync") +
                              (records ? "" : " bare");
        bench::replay_options r;
        r.dir = o.work_dir + "/replay-" + std::to_string(round) + "-" + variant;
        std::replace(r.dir.begin(), r.dir.end(), ' ', '-');
        r.durability = d;
        r.records = records;
        if (o.quick) r.deliveries = 20000;
        auto f = bench::replay_writes(r);
        if (!f) {
          std::fprintf(stderr, "hookshot bench: store replay failed: %s\n",
                       f.error().message().c_str());
          return 1;
        }
        std::printf("%-6ld %-10s %12.2f %12.2f %12.2f %8llu %9llu\n", round, variant.c_str(),
                    f->cpu_us_per_delivery, f->wall_us_per_delivery, f->written_kib_per_delivery,
                    static_cast<unsigned long long>(f->records_left),
                    static_cast<unsigned long long>(f->catch_up_commits));
        std::fflush(stdout);
        std::system(("rm -rf '" + r.dir + "'").c_str());
      }
  return 0;
}

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
  bool replay = false;
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
    if (a[i] == "--store-replay") {
      replay = true;
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
  const bench::machine machine = bench::measure_machine();
  std::printf("hookshot bench%s: %s\n", o.quick ? " --quick" : "", bench::machine_summary(machine).c_str());
  std::fflush(stdout);
  if (replay) {
    int replay_rc = store_replay(o, rounds);
    if (own_dir && replay_rc == 0) std::system(("rm -rf '" + o.work_dir + "'").c_str());
    return replay_rc;
  }
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
  std::printf("\n%s", bench::format_table(results, machine).c_str());
  if (!json_path.empty()) std::ofstream(json_path) << bench::format_json(results, o.quick, machine) << "\n";
  if (!svg_path.empty()) std::ofstream(svg_path) << bench::format_svg(results, machine);
  if (own_dir) std::system(("rm -rf '" + o.work_dir + "'").c_str());
  return rc;
}

}  // namespace hookshot::cli
