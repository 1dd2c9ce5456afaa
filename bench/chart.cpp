#include "bench/chart.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "bench/delivery_curve.hpp"
#include "bench/report.hpp"

namespace hookshot::bench {
namespace {

constexpr int kWidth = 960, kHeight = 760;
// The two upper panels, side by side, and the curves' panel below them.
constexpr int kTop = 86, kBottom = 310;
constexpr int kRateLeft = 70, kRateRight = 470;
constexpr int kLatencyLeft = 560, kLatencyRight = 940;
constexpr int kCurveTop = 446, kCurveBottom = 690, kCurveLeft = 70, kCurveRight = 940;
constexpr const char* kEngine = "#3b6fb6";
constexpr const char* kBaseline = "#aaaaaa";
constexpr const char* kLatency[] = {"#7fb07f", "#e0a030", "#c04040"};
constexpr const char* kCurves[] = {"#3b6fb6", "#c04040", "#2f9e6e", "#e0a030",
                                   "#8a5ab8", "#555555", "#d0609a", "#4fb3c8"};

std::string num(double v) { return fmt("%.1f", v); }

std::string text(double x, double y, const std::string& content, const std::string& attrs = "") {
  return "<text x='" + num(x) + "' y='" + num(y) + "'" + (attrs.empty() ? "" : " " + attrs) + ">" +
         xml_escape(content) + "</text>\n";
}

std::string rect(double x, double y, double w, double h, const char* fill) {
  return "<rect x='" + num(x) + "' y='" + num(y) + "' width='" + num(w) + "' height='" + num(h) +
         "' fill='" + fill + "'/>\n";
}

std::string line(double x1, double y1, double x2, double y2, const char* stroke) {
  return "<line x1='" + num(x1) + "' y1='" + num(y1) + "' x2='" + num(x2) + "' y2='" + num(y2) +
         "' stroke='" + stroke + "'/>\n";
}

// A horizontal gridline across [left, right] at `y`, labelled to its left; the lowest is the axis.
std::string tick(int left, int right, double y, const std::string& label, bool axis) {
  return line(left, y, right, y, axis ? "black" : "#eeeeee") +
         text(left - 6, y + 4, label, "text-anchor='end'");
}

// Where column `i` of `n` starts across [left, right], and how wide each is: the bar panels'
// layout.
double column_width(size_t n, int left, int right) {
  return n == 0 ? 1 : static_cast<double>(right - left - 10) / n;
}
double column_x(size_t i, double width, int left) { return left + 10 + i * width; }

// A name under its bars, slanted so that long ones fit.
std::string slanted(double x, double y, const std::string& name) {
  return text(x, y, name, "transform='rotate(30 " + num(x) + "," + num(y) + ")'");
}

// A colour swatch and its label, for a legend.
std::string key(double x, double y, const char* color, const std::string& label) {
  return rect(x, y - 9, 10, 10, color) + text(x + 14, y, label);
}

// "20k" for 20,000; "500" for 500.
std::string rate_label(double v) { return v >= 1000 ? fmt("%g", v / 1000) + "k" : fmt("%g", v); }

std::string rates_panel(const std::vector<const scenario_result*>& rated) {
  std::string s = text(kRateLeft, kTop - 32, "deliveries/s, and the ratio to the baseline", "font-weight='bold'");
  s += key(kRateLeft, kTop - 16, kEngine, "engine") + key(kRateLeft + 70, kTop - 16, kBaseline, "baseline");
  double top = 1;
  for (auto* r : rated) {
    top = std::max(top, r->deliveries_per_s);
    if (r->baseline) top = std::max(top, r->baseline->per_s);
  }
  top = axis_top(top);
  auto y_of = [&](double v) { return kBottom - (kBottom - kTop) * std::clamp(v / top, 0.0, 1.0); };
  for (int i = 0; i <= 4; ++i) {
    double v = top * i / 4;
    s += tick(kRateLeft, kRateRight, y_of(v), rate_label(v), i == 0);
  }
  double slot = column_width(rated.size(), kRateLeft, kRateRight);
  for (size_t i = 0; i < rated.size(); ++i) {
    const scenario_result& r = *rated[i];
    double x = column_x(i, slot, kRateLeft), bar = slot * 0.36;
    s += rect(x, y_of(r.deliveries_per_s), bar, kBottom - y_of(r.deliveries_per_s), kEngine);
    double highest = r.deliveries_per_s;
    if (r.baseline) {
      s += rect(x + bar, y_of(r.baseline->per_s), bar, kBottom - y_of(r.baseline->per_s), kBaseline);
      highest = std::max(highest, r.baseline->per_s);
      s += text(x + bar, y_of(highest) - 4, fmt("%.2f", r.ratio) + "\u00d7", "text-anchor='middle'");
    }
    s += slanted(x, kBottom + 14, r.name);
  }
  return s;
}

std::string latency_panel(const std::vector<const scenario_result*>& rated) {
  std::string s = text(kLatencyLeft, kTop - 32, "latency ms (log scale), event posted to received", "font-weight='bold'");
  const char* names[] = {"p50", "p99", "max"};
  for (int k = 0; k < 3; ++k) s += key(kLatencyLeft + 60 * k, kTop - 16, kLatency[k], names[k]);
  // log10 from 0.1 ms to 10 s.
  auto y_of = [&](double ms) {
    double v = std::clamp(std::log10(std::max(ms, 0.1)), -1.0, 4.0);
    return kBottom - (kBottom - kTop) * (v + 1) / 5;
  };
  for (double ms : {0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0}) {
    s += tick(kLatencyLeft, kLatencyRight, y_of(ms), fmt("%g", ms), ms == 0.1);
  }
  double slot = column_width(rated.size(), kLatencyLeft, kLatencyRight);
  for (size_t i = 0; i < rated.size(); ++i) {
    const scenario_result& r = *rated[i];
    double x = column_x(i, slot, kLatencyLeft), bar = slot / 4;
    double values[] = {r.p50_ms, r.p99_ms, r.max_ms};
    for (int k = 0; k < 3; ++k) s += rect(x + k * bar, y_of(values[k]), bar, kBottom - y_of(values[k]), kLatency[k]);
    s += slanted(x, kBottom + 14, r.name);
  }
  return s;
}

std::string curves_panel(const std::vector<const scenario_result*>& rated) {
  std::vector<const scenario_result*> drawn;
  for (auto* r : rated)  // (every rated run has deliveries)
    if (r->curve.size() >= 2) drawn.push_back(r);
  std::string s = text(kCurveLeft, kCurveTop - 22,
                       "deliveries over time (seconds from the first event posted), as a share of each run's; "
                       "\u25cf the last event posted",
                       "font-weight='bold'");
  double end = 0;
  for (auto* r : drawn) end = std::max(end, r->curve.back().first);
  end = axis_top(end);
  auto x_of = [&](double t) { return kCurveLeft + (kCurveRight - kCurveLeft) * std::clamp(t / end, 0.0, 1.0); };
  auto y_of = [&](double share) { return kCurveBottom - (kCurveBottom - kCurveTop) * std::clamp(share, 0.0, 1.0); };
  for (int i = 0; i <= 4; ++i) {
    s += tick(kCurveLeft, kCurveRight, y_of(i / 4.0), fmt("%g", 25.0 * i) + " %", i == 0);
  }
  for (int i = 0; i <= 10; ++i)
    s += text(x_of(end * i / 10), kCurveBottom + 16, fmt("%g", end * i / 10),
              "text-anchor='middle'");
  for (size_t i = 0; i < drawn.size(); ++i) {
    const scenario_result& r = *drawn[i];
    const char* color = kCurves[i % std::size(kCurves)];
    double total = static_cast<double>(r.deliveries);
    // At most ~800 points a curve: a long run sampled every 20 ms has thousands.
    size_t step = std::max<size_t>(1, r.curve.size() / 800);
    std::string points;
    for (size_t k = 0; k < r.curve.size(); k += step)
      points += num(x_of(r.curve[k].first)) + "," + num(y_of(r.curve[k].second / total)) + " ";
    if ((r.curve.size() - 1) % step != 0)
      points += num(x_of(r.curve.back().first)) + "," + num(y_of(r.curve.back().second / total));
    s += "<polyline fill='none' stroke='" + std::string(color) + "' stroke-width='1.5' points='" + points + "'/>\n";
    auto posted = r.extra.find("posted_s");
    if (posted != r.extra.end() && posted->second > 0)
      s += "<circle cx='" + num(x_of(posted->second)) + "' cy='" +
           num(y_of(count_at(r.curve, posted->second) / total)) + "' r='4' fill='" + color + "'/>\n";
    s += key(kCurveLeft + 140 * (i % 6), kCurveBottom + 42 + 16 * (i / 6), color, r.name);
  }
  return s;
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\'': out += "&apos;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

double axis_top(double v) {
  if (!(v > 0)) return 1;
  double power = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0})
    if (m * power >= v * (1 - 1e-12)) return m * power;
  return 10 * power;
}

std::string format_svg(const std::vector<scenario_result>& results, const machine& m) {
  std::vector<const scenario_result*> rated;
  for (const auto& r : results)
    if (r.deliveries > 0) rated.push_back(&r);
  std::string s = "<svg xmlns='http://www.w3.org/2000/svg' width='" + std::to_string(kWidth) + "' height='" +
                  std::to_string(kHeight) + "' font-family='sans-serif' font-size='11'>\n";
  s += "<rect width='100%' height='100%' fill='white'/>\n";
  // The machine on two lines: what it is, then what it charges (machine_summary's "; " parts).
  std::string summary = machine_summary(m);
  size_t cut = summary.find("; ");
  s += text(10, 18, "hookshot bench: " + summary.substr(0, cut), "font-size='13'");
  if (cut != std::string::npos) s += text(10, 34, summary.substr(cut + 2), "fill='#555555'");
  s += rates_panel(rated) + latency_panel(rated) + curves_panel(rated);
  s += "</svg>\n";
  return s;
}

}  // namespace hookshot::bench
