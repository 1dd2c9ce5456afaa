#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>

#include "bench/chart.hpp"
#include "bench/compare.hpp"
#include "bench/goals.hpp"
#include "bench/report.hpp"
#include "bench/rounds.hpp"
#include "bench/scenarios.hpp"
#include "bench/store_replay.hpp"
#include "src/commands.hpp"

namespace hookshot::cli {
namespace {

const char* kHelp =
    "usage: hookshot bench [--scenario NAME]... [--quick] [--rounds N] [--json FILE]\n"
    "                      [--svg FILE] [--work-dir DIR] [--no-progress] [--compare PATH]\n"
    "                      [--soak-seconds N] [--soak-rate N] [--soak-durability D]\n"
    "       hookshot bench --store-replay [--quick] [--rounds N] [--work-dir DIR]\n"
    "Measures the engine end to end on loopback: each scenario starts its own `hookshot sink`\n"
    "and `hookshot serve` (this binary), drives them, and measures its baselines (raw-curl,\n"
    "wrk when installed, cloudstack-pool, or the ideal rate) in the same run. After the\n"
    "table, where the run stands against each performance goal: met, met on average (a\n"
    "ratio's mean over --rounds meets it, its 95 % interval reaching past it), not met on\n"
    "average, or not met; and for a ratio to raw-curl, the machine's CPU per delivery\n"
    "the goal allows against what delivering and taking the events in cost.\n"
    "  --scenario NAME  throughput, tls, fanout, slow-receivers, retries, many-webhooks,\n"
    "                   recovery (repeatable; all of these by default); tls is throughput-os\n"
    "                   to an HTTPS receiver, every webhook verifying its certificate; soak\n"
    "                   only when named: a steady load for minutes, and whether the\n"
    "                   engine's memory and data file level off\n"
    "  --soak-seconds N how long soak's events come in (default 120; 10 with --quick)\n"
    "  --soak-rate N    soak's events a second (default 5000)\n"
    "  --soak-durability D  the soaked store's durability: fsync (default) or os\n"
    "  --quick          every scenario scaled down (about a minute in all)\n"
    "  --rounds N       run each scenario N times and report the round with the median ratio,\n"
    "                   with ratio_min and ratio_max over the rounds and their mean with half\n"
    "                   its 95 % confidence interval, ratio_mean and ratio_margin_95 (default 1)\n"
    "  --json FILE      one object per scenario: name, deliveries, seconds, deliveries_per_s,\n"
    "                   baseline {name, per_s}, ratio, latency_ms {p50, p99, max},\n"
    "                   cpu_us_per_delivery, peak_rss_mb, errors, and more; and \"goals\"\n"
    "  --svg FILE       a chart: throughput against baselines with the ratios, latency\n"
    "                   distribution, and each run's deliveries over time\n"
    "  --work-dir DIR   where configs, data and logs go (default: a new directory in /tmp,\n"
    "                   removed afterwards)\n"
    "  --compare PATH   another build of hookshot: every round runs each scenario with this\n"
    "                   build's engine (A) and with PATH's (B), in alternating order, against\n"
    "                   this build's sink and baselines; reports each figure's mean for A and\n"
    "                   B, the mean of B - A, and in how many rounds B's was the higher (the\n"
    "                   table and --json are A's median rounds; --json adds \"compare\")\n"
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

// `value` as a number in (0, max] for `flag`, or a message on stderr and nullopt.
std::optional<double> positive_number(const char* flag, const std::string& value, double max) {
  char* end = nullptr;
  double n = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || !(n > 0) || n > max) {
    std::fprintf(stderr, "hookshot bench: %s must be a number above 0 and at most %.0f, not '%s'\n",
                 flag, max, value.c_str());
    return std::nullopt;
  }
  return n;
}

// by_result[i]: every round of a scenario's i-th result (throughput has two).
using by_result = std::vector<std::vector<bench::scenario_result>>;

// One run of scenario `name` with `engine`'s `serve` (empty: this binary's), its results
// appended to `into`. False (with the reason on stderr) when it failed.
bool run_once(const std::string& name, bench::bench_options o, const std::string& engine,
              by_result& into) {
  o.engine = engine;
  auto r = bench::run_scenario(name, o);
  if (!r) {
    std::fprintf(stderr, "\nhookshot bench: %s failed%s: %s (logs in %s)\n", name.c_str(),
                 engine.empty() ? "" : (" with " + engine + "'s engine").c_str(),
                 r.error().message().c_str(), o.work_dir.c_str());
    return false;
  }
  into.resize(std::max(into.size(), r->size()));
  for (size_t i = 0; i < r->size(); ++i) into[i].push_back(std::move((*r)[i]));
  return true;
}

// `rounds` rounds of scenario `name` with this build's engine into `a` and, when `other` is
// set, with other's into `b`, the two in alternating order (bench/compare.hpp).
bool run_rounds(const std::string& name, const bench::bench_options& o, long rounds,
                const std::string& other, by_result& a, by_result& b) {
  for (long round = 0; round < rounds; ++round) {
    bool ok = other.empty()                  ? run_once(name, o, "", a)
              : bench::a_runs_first(round) ? run_once(name, o, "", a) && run_once(name, o, other, b)
                                           : run_once(name, o, other, b) && run_once(name, o, "", a);
    if (!ok) return false;
  }
  return true;
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
  std::string compare_with;
  bool soak_flags = false;  // a --soak- flag was given
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
    if (take_flag(a, i, "--soak-seconds", value)) {
      auto n = positive_number("--soak-seconds", value, 7 * 24 * 3600);
      if (!n) return 2;
      o.soak_seconds = *n;
      soak_flags = true;
      continue;
    }
    if (take_flag(a, i, "--soak-rate", value)) {
      auto n = positive_number("--soak-rate", value, 1e6);
      if (!n) return 2;
      o.soak_rate = *n;
      soak_flags = true;
      continue;
    }
    if (take_flag(a, i, "--soak-durability", o.soak_durability)) {
      if (o.soak_durability != "fsync" && o.soak_durability != "os") {
        std::fprintf(stderr, "hookshot bench: --soak-durability is fsync or os, not '%s'\n",
                     o.soak_durability.c_str());
        return 2;
      }
      soak_flags = true;
      continue;
    }
    if (take_flag(a, i, "--json", json_path) || take_flag(a, i, "--svg", svg_path) ||
        take_flag(a, i, "--work-dir", o.work_dir) || take_flag(a, i, "--compare", compare_with))
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
  if (!compare_with.empty()) {
    if (replay) {
      std::fprintf(stderr, "hookshot bench: --compare measures engines, and --store-replay runs none\n");
      return 2;
    }
    if (access(compare_with.c_str(), X_OK) != 0) {
      std::fprintf(stderr, "hookshot bench: --compare needs a hookshot binary to run, and '%s' is not one: %s\n",
                   compare_with.c_str(), std::strerror(errno));
      return 2;
    }
  }
  if (soak_flags &&
      std::find(chosen.begin(), chosen.end(), "soak") == chosen.end()) {
    std::fprintf(stderr, "hookshot bench: the --soak- flags shape the soak, which runs only "
                         "when named: add --scenario soak\n");
    return 2;
  }
  if (chosen.empty()) chosen = bench::scenario_names();
  std::vector<std::string> known = bench::scenario_names();
  for (const auto& n : bench::named_only_scenario_names()) known.push_back(n);
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
  bench::comparison compared{compare_with, {}};
  int rc = 0;
  for (const auto& name : chosen) {
    by_result a_rounds, b_rounds;
    if (!run_rounds(name, o, rounds, compare_with, a_rounds, b_rounds)) {
      rc = 1;
      own_dir = false;  // keep the logs
      continue;
    }
    for (size_t i = 0; i < a_rounds.size(); ++i) {
      if (!compare_with.empty() && i < b_rounds.size())
        compared.results.push_back({a_rounds[i].front().name, a_rounds[i], std::move(b_rounds[i])});
      results.push_back(bench::median_round(std::move(a_rounds[i])));
    }
  }
  std::printf("\n%s", bench::format_table(results, machine).c_str());
  std::string goals = bench::format_goals(bench::judge_goals(results), o.quick);
  if (!goals.empty()) std::printf("\n%s", goals.c_str());
  if (!compare_with.empty()) std::printf("\n%s", bench::format_comparison(compared).c_str());
  if (!json_path.empty()) {
    boost::json::object compare_json;
    if (!compare_with.empty()) compare_json = bench::comparison_json(compared);
    std::ofstream(json_path) << bench::format_json(results, o.quick, machine,
                                                   compare_with.empty() ? nullptr : &compare_json)
                             << "\n";
  }
  if (!svg_path.empty()) std::ofstream(svg_path) << bench::format_svg(results, machine);
  if (own_dir) std::system(("rm -rf '" + o.work_dir + "'").c_str());
  return rc;
}

}  // namespace hookshot::cli
