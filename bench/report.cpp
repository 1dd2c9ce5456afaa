#include "bench/report.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>

namespace hookshot::bench {
namespace json = boost::json;
std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
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
  o["baseline"] = r.baseline ? json::value(json::object{{"name", r.baseline->name}, {"per_s", r.baseline->per_s}})
                             : json::value(nullptr);
  json::array others;
  for (const auto& b : r.other_baselines) others.push_back(json::object{{"name", b.name}, {"per_s", b.per_s}});
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
                      {"scenarios", std::move(list)}};
  if (compared) report["compare"] = *compared;
  return json::serialize(report);
}

std::string format_svg(const std::vector<scenario_result>& results, const machine& m) {
  // Left: deliveries/s against the baseline per scenario. Right: p50/p99/max latency (log).
  const int w = 960, h = 420, top = 50, bottom = 330, left_x = 60, mid = 500;
  std::string s = "<svg xmlns='http://www.w3.org/2000/svg' width='" + std::to_string(w) + "' height='" +
                  std::to_string(h) + "' font-family='sans-serif' font-size='11'>\n";
  s += "<rect width='100%' height='100%' fill='white'/>\n";
  s += "<text x='10' y='20' font-size='12'>hookshot bench - " + machine_summary(m) + "</text>\n";
  s += "<text x='" + std::to_string(left_x) + "' y='40'>deliveries/s: engine (blue) vs baseline (grey)</text>\n";
  s += "<text x='" + std::to_string(mid + 20) + "' y='40'>latency ms, log scale: p50 / p99 / max</text>\n";
  std::vector<const scenario_result*> rated;
  for (const auto& r : results)
    if (r.deliveries > 0) rated.push_back(&r);
  double top_rate = 1;
  for (auto* r : rated) {
    top_rate = std::max(top_rate, r->deliveries_per_s);
    if (r->baseline) top_rate = std::max(top_rate, r->baseline->per_s);
  }
  int slot = rated.empty() ? 1 : (mid - left_x - 20) / static_cast<int>(rated.size());
  auto bar = [&](int x, int width, double v, double max, const char* color) {
    int height = static_cast<int>((bottom - top) * (v / max));
    return "<rect x='" + std::to_string(x) + "' y='" + std::to_string(bottom - height) + "' width='" +
           std::to_string(width) + "' height='" + std::to_string(height) + "' fill='" + color + "'/>\n";
  };
  for (size_t i = 0; i < rated.size(); ++i) {
    int x = left_x + static_cast<int>(i) * slot;
    s += bar(x, slot / 3, rated[i]->deliveries_per_s, top_rate, "#3b6fb6");
    if (rated[i]->baseline) s += bar(x + slot / 3, slot / 3, rated[i]->baseline->per_s, top_rate, "#aaaaaa");
    s += "<text x='" + std::to_string(x) + "' y='" + std::to_string(bottom + 14) + "' transform='rotate(30 " +
         std::to_string(x) + "," + std::to_string(bottom + 14) + ")'>" + rated[i]->name + "</text>\n";
  }
  s += "<text x='" + std::to_string(left_x - 50) + "' y='" + std::to_string(top) + "'>" +
       fmt("%.0f", top_rate) + "</text>\n";
  s += "<line x1='" + std::to_string(left_x) + "' y1='" + std::to_string(bottom) + "' x2='" +
       std::to_string(mid) + "' y2='" + std::to_string(bottom) + "' stroke='black'/>\n";
  // Latency: log10 from 0.1 ms to 10 s.
  auto y_of = [&](double ms) {
    double v = std::clamp(std::log10(std::max(ms, 0.1)), -1.0, 4.0);
    return bottom - static_cast<int>((bottom - top) * (v + 1) / 5);
  };
  for (double ms : {0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0})
    s += "<text x='" + std::to_string(mid + 5) + "' y='" + std::to_string(y_of(ms)) + "'>" + fmt("%g", ms) +
         "</text><line x1='" + std::to_string(mid + 40) + "' x2='" + std::to_string(w - 20) + "' y1='" +
         std::to_string(y_of(ms)) + "' y2='" + std::to_string(y_of(ms)) + "' stroke='#eeeeee'/>\n";
  int lslot = rated.empty() ? 1 : (w - mid - 80) / static_cast<int>(rated.size());
  for (size_t i = 0; i < rated.size(); ++i) {
    int x = mid + 50 + static_cast<int>(i) * lslot;
    const char* colors[] = {"#7fb07f", "#e0a030", "#c04040"};
    double vals[] = {rated[i]->p50_ms, rated[i]->p99_ms, rated[i]->max_ms};
    for (int k = 0; k < 3; ++k) {
      int y = y_of(vals[k]);
      s += "<rect x='" + std::to_string(x + k * lslot / 4) + "' y='" + std::to_string(y) + "' width='" +
           std::to_string(lslot / 4) + "' height='" + std::to_string(bottom - y) + "' fill='" + colors[k] + "'/>\n";
    }
    s += "<text x='" + std::to_string(x) + "' y='" + std::to_string(bottom + 14) + "' transform='rotate(30 " +
         std::to_string(x) + "," + std::to_string(bottom + 14) + ")'>" + rated[i]->name + "</text>\n";
  }
  s += "</svg>\n";
  return s;
}

}  // namespace hookshot::bench
