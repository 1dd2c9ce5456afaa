#include "bench/compare.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "bench/report.hpp"
#include "bench/rounds.hpp"

namespace hookshot::bench {
namespace json = boost::json;
namespace {

// The figures compared, each when every round of both sides carries it: the ratio (rated
// scenarios) and the rate (each side's ratio is to its own raw-curl, measured around its run,
// whose noise the rates do not carry; the rates carry the hour's, which the alternation
// spreads over both); the engine's CPU per delivery and by thread role; the steady middle's
// rate (10 % to 90 % of the deliveries: no ramp-up, no tail); the drain after the last event
// (a delivery's price without an event's intake) and its CPU; raw-curl's loops per request
// (each side's own baseline: where the two differ, so did their hours); what the store wrote;
// the engine's own memory at its peak (anonymous: the store's map is not in it); the
// connections it delivered over (each a handshake over TLS); and what the
// scenarios without a ratio measure instead (many-webhooks, recovery).
const char* const kFigures[] = {
    "ratio",           "deliveries_per_s",         "cpu_us_per_delivery", "steady_per_s",
    "cpu_us_http",     "cpu_us_writer",            "cpu_us_actors",       "cpu_us_intake",
    "drain_ratio",     "drain_cpu_us",             "raw_curl_cpu_us",     "store_written_kib",
    "peak_anon_mb",    "receiver_connections",     "rss_kib_per_webhook", "first_start_s",
    "startup_s",       "time_to_first_delivery_s", "time_to_drained_s"};

// The summary of `figure` over the pairs, or nothing when a round of either side lacks it.
std::optional<pair_summary> summarize_figure(const compared_result& r, const std::string& figure) {
  pair_summary s;
  s.figure = figure;
  s.pairs = std::min(r.a.size(), r.b.size());
  if (s.pairs == 0) return std::nullopt;
  std::vector<double> differences;
  for (size_t i = 0; i < s.pairs; ++i) {
    auto a = figure_value(r.a[i], figure), b = figure_value(r.b[i], figure);
    if (!a || !b) return std::nullopt;
    s.mean_a += *a;
    s.mean_b += *b;
    differences.push_back(*b - *a);
    if (*b > *a) ++s.b_higher;
  }
  s.mean_a /= static_cast<double>(s.pairs);
  s.mean_b /= static_cast<double>(s.pairs);
  mean_interval d = mean_with_margin(differences);
  s.mean_difference = d.mean;
  s.margin_95 = d.margin_95;
  return s;
}

}  // namespace

std::vector<pair_summary> summarize(const compared_result& r) {
  std::vector<pair_summary> out;
  for (const char* figure : kFigures)
    if (auto s = summarize_figure(r, figure)) out.push_back(*s);
  return out;
}

std::string format_comparison(const comparison& c) {
  size_t rounds = c.rounds();
  std::string out = "compared: A = this build's engine, B = " + c.engine_b +
                    "'s; this build's sink and baselines; " + std::to_string(rounds) +
                    (rounds == 1 ? " round" : " rounds") + ", A first in rounds 1, 3, 5, ...\n";
  out += "+-: half the 95 % confidence interval of B - A over the pairs; * where it leaves out 0\n"
         "result              figure                       A mean     B mean      B - A        +-  "
         "B higher\n";
  for (const auto& r : c.results) {
    bool first = true;
    for (const auto& s : summarize(r)) {
      std::string margin =
          s.margin_95 ? figure_text(s.figure, *s.margin_95) + (s.shown() ? " *" : "  ") : "-  ";
      out += pad(first ? r.name : "", 20, true) + pad(s.figure, 25, true) +
             pad(figure_text(s.figure, s.mean_a), 11) + pad(figure_text(s.figure, s.mean_b), 11) +
             pad((s.mean_difference >= 0 ? "+" : "") + figure_text(s.figure, s.mean_difference), 11) +
             pad(margin, 10) +
             pad(std::to_string(s.b_higher) + " of " + std::to_string(s.pairs), 10) + "\n";
      first = false;
    }
    if (!r.a.empty() && r.a.front().ratio > 0) {
      std::string line = std::string(20, ' ') + "ratio by round, A | B:";
      for (const auto& a : r.a) line += " " + fmt("%.3f", a.ratio);
      line += " |";
      for (const auto& b : r.b) line += " " + fmt("%.3f", b.ratio);
      out += line + "\n";
    }
  }
  return out;
}

json::object comparison_json(const comparison& c) {
  json::array results, medians;
  for (const auto& r : c.results) {
    json::array summaries;
    for (const auto& s : summarize(r))
      summaries.push_back(json::object{{"figure", s.figure},
                                       {"mean_a", s.mean_a},
                                       {"mean_b", s.mean_b},
                                       {"mean_difference", s.mean_difference},
                                       {"margin_95", s.margin_95 ? json::value(*s.margin_95)
                                                                 : json::value(nullptr)},
                                       {"b_higher", s.b_higher},
                                       {"pairs", s.pairs}});
    json::array by_round;
    for (size_t i = 0; i < std::min(r.a.size(), r.b.size()); ++i)
      by_round.push_back(json::object{{"round", i + 1},
                                      {"first", a_runs_first(static_cast<long>(i)) ? "a" : "b"},
                                      {"ratio_a", r.a[i].ratio},
                                      {"ratio_b", r.b[i].ratio}});
    results.push_back(json::object{
        {"name", r.name}, {"summaries", std::move(summaries)}, {"rounds", std::move(by_round)}});
    if (!r.b.empty()) medians.push_back(scenario_json(median_round(r.b)));
  }
  return json::object{{"engine", c.engine_b},
                      {"rounds", c.rounds()},
                      {"results", std::move(results)},
                      {"scenarios", std::move(medians)}};
}

}  // namespace hookshot::bench
