#include "bench/report.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>

#include "bench/goals.hpp"

namespace hookshot::bench {
namespace json = boost::json;
std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string figure_text(const std::string& figure, double v) {
  using boost::algorithm::ends_with;
  const char* f = ends_with(figure, "ratio") ? "%.3f"
                  : ends_with(figure, "per_s") ? "%.0f"
                  : ends_with(figure, "_s") || figure.find("_kib") != std::string::npos ? "%.2f"
                                                                                          : "%.1f";
  return fmt(f, v);
}

std::optional<double> figure_value(const scenario_result& r, const std::string& figure) {
  auto positive = [](double v) { return v > 0 ? std::optional<double>(v) : std::nullopt; };
  if (figure == "ratio") return positive(r.ratio);
  if (figure == "deliveries_per_s") return positive(r.deliveries_per_s);
  if (figure == "cpu_us_per_delivery") return positive(r.cpu_us_per_delivery);
  auto it = r.extra.find(figure);
  if (it == r.extra.end()) return std::nullopt;
  return it->second;
}

std::string pad(std::string s, size_t width, bool left) {
  if (s.size() < width) s.insert(left ? s.size() : 0, width - s.size(), ' ');
  return s;
}

std::string machine_summary(const machine& m) {
  std::string out = m.description + "; a system call " + fmt("%.2f", m.syscall_us) +
                    " \u00b5s, a hand-over on one core " + fmt("%.1f", m.switch_us) + " \u00b5s";
  if (m.wake_us > 0)
    out += ", to the other core " + fmt("%.1f", m.wake_us) + " \u00b5s (" + fmt("%.1f", m.wake_cpu_us) +
           " \u00b5s CPU)";
  if (m.memory_monitor_ms > 0)
    out += "; the kernel's memory monitor (DAMON) samples every " + fmt("%.0f", m.memory_monitor_ms) + " ms";
  return out;
}

std::string format_table(const std::vector<scenario_result>& results, const machine& m) {
  std::string out = "machine: " + machine_summary(m) + "\n\n";
  out += "scenario            deliveries  seconds  deliv/s  baseline          base/s  ratio"
         "     p50ms     p99ms     maxms  cpu-us  rss-MB  disk-B/rec  errors\n";
  for (const auto& r : results) {
    std::string base = r.baseline ? r.baseline->name : "-";
    out += r.name + std::string(r.name.size() < 20 ? 20 - r.name.size() : 1, ' ');
    out += pad(std::to_string(r.deliveries), 10) + pad(fmt("%.2f", r.seconds), 9) +
           pad(fmt("%.0f", r.deliveries_per_s), 9) + "  " + base +
           std::string(base.size() < 16 ? 16 - base.size() : 1, ' ') +
           pad(r.baseline ? fmt("%.0f", r.baseline->per_s) : "-", 8) + pad(fmt("%.3f", r.ratio), 7) +
           pad(fmt("%.2f", r.p50_ms), 10) + pad(fmt("%.2f", r.p99_ms), 10) + pad(fmt("%.1f", r.max_ms), 10) +
           pad(fmt("%.1f", r.cpu_us_per_delivery), 8) + pad(fmt("%.1f", r.peak_rss_mb), 8) +
           pad(fmt("%.0f", r.disk_bytes_per_record), 12) + pad(std::to_string(r.errors), 8) + "\n";
    std::string extras;
    for (const auto& b : r.other_baselines)
      extras += "  " + b.name + " " + fmt("%.0f/s", b.per_s);
    for (const auto& [k, v] : r.extra) extras += "  " + k + "=" + fmt("%.4g", v);
    if (!r.note.empty()) extras += "  (" + r.note + ")";
    if (!extras.empty()) out += "   " + extras + "\n";
  }
  return out;
}

json::object scenario_json(const scenario_result& r) {
  json::object o{{"name", r.name},
                 {"deliveries", r.deliveries},
                 {"seconds", r.seconds},
                 {"deliveries_per_s", r.deliveries_per_s},
                 {"ratio", r.ratio},
                 {"latency_ms", json::object{{"p50", r.p50_ms}, {"p99", r.p99_ms}, {"max", r.max_ms}}},
                 {"cpu_us_per_delivery", r.cpu_us_per_delivery},
                 {"peak_rss_mb", r.peak_rss_mb},
                 {"disk_bytes_per_record", r.disk_bytes_per_record},
                 {"errors", r.errors}};
  // A baseline's errors: requests that failed (a refused certificate, say) count in its rate.
  auto baseline_json = [](const baseline_result& b) {
    return json::object{{"name", b.name}, {"per_s", b.per_s}, {"errors", b.errors}};
  };
  o["baseline"] = r.baseline ? json::value(baseline_json(*r.baseline)) : json::value(nullptr);
  json::array others;
  for (const auto& b : r.other_baselines) others.push_back(baseline_json(b));
  o["other_baselines"] = std::move(others);
  json::object extra;
  for (const auto& [k, v] : r.extra) extra[k] = v;
  o["extra"] = std::move(extra);
  if (!r.curve.empty()) {
    json::array curve;
    curve.reserve(r.curve.size());
    for (const auto& [t, count] : r.curve)  // to the millisecond, as sampled
      curve.push_back(json::array{std::round(t * 1000) / 1000, count});
    o["curve"] = std::move(curve);
  }
  if (!r.note.empty()) o["note"] = r.note;
  return o;
}

std::string format_json(const std::vector<scenario_result>& results, bool quick, const machine& m,
                        const json::object* compared) {
  json::array list;
  for (const auto& r : results) list.push_back(scenario_json(r));
  json::object costs{{"syscall_us", m.syscall_us},
                     {"switch_us", m.switch_us},
                     {"wake_us", m.wake_us},
                     {"wake_cpu_us", m.wake_cpu_us},
                     {"memory_monitor_ms", m.memory_monitor_ms}};
  json::object report{{"machine", m.description},
                      {"machine_costs", std::move(costs)},
                      {"quick", quick},
                      {"scenarios", std::move(list)},
                      {"goals", goals_json(judge_goals(results))}};
  if (compared) report["compare"] = *compared;
  return json::serialize(report);
}

}  // namespace hookshot::bench
