#include "bench/goals.hpp"

#include "bench/report.hpp"

namespace hookshot::bench {

namespace json = boost::json;

const std::vector<goal>& goals() {
  static const std::vector<goal> all = {
      {"throughput-fsync", "ratio", 0.6, true, "throughput, fsync: >= 0.6 x raw-curl"},
      {"throughput-os", "ratio", 0.8, true, "throughput, os: >= 0.8 x raw-curl"},
      {"fanout", "ratio", 0.8, true, "fan-out: >= 0.8 x raw-curl"},
      {"slow-receivers", "ratio", 0.95, true, "slow receivers: >= 0.95 x the ideal"},
      {"slow-receivers", "cpu_us_per_delivery", 60, false,
       "slow receivers: <= 60 us CPU per delivery"},
      {"slow-receivers", "ratio_to_cloudstack_pool", 100, true,
       "slow receivers: >= 100 x cloudstack-pool"},
      {"throughput-fsync", "half_rate_p99_ms", 10, false, "p99 at half rate, fsync: <= 10 ms"},
      {"throughput-os", "half_rate_p99_ms", 10, false, "p99 at half rate, os: <= 10 ms"},
      {"many-webhooks", "rss_kib_per_webhook", 2, false, "resident per idle webhook: <= 2 KiB"},
      {"recovery", "time_to_first_delivery_s", 5, false,
       "recovery: first delivery <= 5 s after start"},
  };
  return all;
}

const char* standing_text(standing s) {
  switch (s) {
    case standing::met: return "met";
    case standing::met_on_average: return "met on average";
    case standing::not_met_on_average: return "not met on average";
    case standing::not_met: return "not met";
  }
  return "";
}

standing goal_verdict::verdict() const {
  auto satisfies = [&](double x) { return g.at_least ? x >= g.bound : x <= g.bound; };
  if (!mean || !margin_95) return satisfies(value) ? standing::met : standing::not_met;
  // The interval's end nearer the bound's wrong side, and its other end.
  double worst = g.at_least ? *mean - *margin_95 : *mean + *margin_95;
  double best = g.at_least ? *mean + *margin_95 : *mean - *margin_95;
  if (satisfies(worst)) return standing::met;
  if (satisfies(*mean)) return standing::met_on_average;
  return satisfies(best) ? standing::not_met_on_average : standing::not_met;
}

namespace {

// The split of a ratio to raw-curl (cpu_split), when the run measured every part of it.
std::optional<cpu_split> split_of(const scenario_result& r, double bound) {
  if (!r.baseline || r.baseline->name != "raw-curl" || bound <= 0) return std::nullopt;
  auto loops = figure_value(r, "raw_curl_cpu_us"), sink = figure_value(r, "raw_curl_sink_cpu_us"),
       drain = figure_value(r, "drain_all_cpu_us"),
       intake = figure_value(r, "ingest_cpu_us_per_delivery");
  if (!loops || !sink || !drain || !intake || *loops <= 0) return std::nullopt;
  return cpu_split{(*loops + *sink) / bound, *drain, *intake};
}

}  // namespace

std::vector<goal_verdict> judge_goals(const std::vector<scenario_result>& results) {
  std::vector<goal_verdict> out;
  for (const goal& g : goals()) {
    for (const auto& r : results) {
      if (r.name != g.scenario) continue;
      auto value = figure_value(r, g.figure);
      if (!value) continue;
      goal_verdict v;
      v.g = g;
      v.value = *value;
      // The rounds' statistics are the ratio's: other figures are judged by the reported round.
      if (g.figure == "ratio") {
        auto mean = r.extra.find("ratio_mean"), margin = r.extra.find("ratio_margin_95");
        if (mean != r.extra.end() && margin != r.extra.end()) {
          v.mean = mean->second;
          v.margin_95 = margin->second;
        }
        v.split = split_of(r, g.bound);
      }
      out.push_back(std::move(v));
      break;
    }
  }
  return out;
}

std::string format_goals(const std::vector<goal_verdict>& verdicts, bool quick) {
  if (verdicts.empty()) return {};
  std::string out = "goals (the reported round's figure; a ratio over rounds also by its mean "
                    "+- half its 95 % interval)";
  if (quick) out += "\n  --quick: scaled down, so these only indicate; the goals are for full size";
  out += "\n";
  for (const auto& v : verdicts) {
    std::string figures = figure_text(v.g.figure, v.value);
    if (v.mean && v.margin_95)
      figures += "; mean " + figure_text(v.g.figure, *v.mean) + " +- " +
                 figure_text(v.g.figure, *v.margin_95);
    out += "  " + pad(v.g.text, 46, true) + pad(figures, 28, true) + standing_text(v.verdict()) +
           "\n";
    if (const auto& c = v.split)
      out += "    the machine's CPU per delivery: the goal allows " + fmt("%.1f", c->allowed_us) +
             " us; delivering spent " + fmt("%.1f", c->delivering_us) + ", leaving " +
             fmt("%.1f", c->left_us()) + " for taking events in, which cost " +
             fmt("%.1f", c->intake_us) + "\n";
  }
  return out;
}

json::array goals_json(const std::vector<goal_verdict>& verdicts) {
  json::array out;
  for (const auto& v : verdicts) {
    json::object o{{"goal", v.g.text},         {"scenario", v.g.scenario},
                   {"figure", v.g.figure},     {"bound", v.g.bound},
                   {"at_least", v.g.at_least}, {"value", v.value},
                   {"verdict", standing_text(v.verdict())}};
    o["mean"] = v.mean ? json::value(*v.mean) : json::value(nullptr);
    o["margin_95"] = v.margin_95 ? json::value(*v.margin_95) : json::value(nullptr);
    if (const auto& c = v.split)
      o["cpu_split"] = json::object{{"allowed_us", c->allowed_us},
                                    {"delivering_us", c->delivering_us},
                                    {"intake_us", c->intake_us},
                                    {"left_us", c->left_us()}};
    else
      o["cpu_split"] = nullptr;
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace hookshot::bench
