#include "bench/chart.hpp"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

using hookshot::bench::axis_top;
using hookshot::bench::format_svg;
using hookshot::bench::machine;
using hookshot::bench::scenario_result;
using hookshot::bench::xml_escape;
namespace pt = boost::property_tree;

namespace {

scenario_result rated(const std::string& name, double per_s, double baseline_per_s) {
  scenario_result r;
  r.name = name;
  r.deliveries = 1000;
  r.seconds = 2;
  r.deliveries_per_s = per_s;
  r.baseline = hookshot::bench::baseline_result{"raw-curl", baseline_per_s};
  r.ratio = per_s / baseline_per_s;
  r.p50_ms = 1;
  r.p99_ms = 5;
  r.max_ms = 9;
  r.curve = {{0.0, 0}, {0.5, 100}, {1.0, 400}, {1.5, 800}, {2.0, 1000}};
  return r;
}

// Every element named `name` in the tree, at any depth.
void collect(const pt::ptree& t, const std::string& name, std::vector<const pt::ptree*>& out) {
  for (const auto& [key, child] : t) {
    if (key == name) out.push_back(&child);
    collect(child, name, out);
  }
}

std::vector<const pt::ptree*> elements(const pt::ptree& doc, const std::string& name) {
  std::vector<const pt::ptree*> out;
  collect(doc, name, out);
  return out;
}

pt::ptree parse(const std::string& svg) {
  std::istringstream in(svg);
  pt::ptree doc;
  pt::read_xml(in, doc);  // throws on text that is not well-formed XML
  return doc;
}

}  // namespace

TEST_CASE("xml_escape writes the five special characters as entities") {
  CHECK(xml_escape("a<b>&'\"c") == "a&lt;b&gt;&amp;&apos;&quot;c");
  CHECK(xml_escape("AMD EPYC, Linux 6.1") == "AMD EPYC, Linux 6.1");
}

TEST_CASE("axis_top rounds up to a number whose quarters are round") {
  CHECK(axis_top(57486) == 60000);
  CHECK(axis_top(50000) == 50000);
  CHECK(axis_top(10001) == 15000);
  CHECK(axis_top(0.71) == Approx(0.8));
  CHECK(axis_top(5.73) == 6);
  CHECK(axis_top(9.5) == 10);
  CHECK(axis_top(0) == 1);
  CHECK(axis_top(-3) == 1);
}

TEST_CASE("the chart is well-formed and shows each rate, ratio and curve") {
  machine m;
  m.description = "2 cores, R&D <model>, Linux 6.1";
  m.syscall_us = 1;
  m.switch_us = 3;
  scenario_result fsync = rated("throughput-fsync", 30000, 50000);
  fsync.extra["posted_s"] = 0.75;
  scenario_result fanout = rated("fanout", 40000, 50000);
  scenario_result idle;  // many-webhooks: no deliveries, nothing to draw
  idle.name = "many-webhooks";
  std::string svg = format_svg({fsync, fanout, idle}, m);

  pt::ptree doc = parse(svg);
  // The machine, escaped, on the first line; what it charges on the second.
  auto texts = elements(doc, "text");
  REQUIRE(texts.size() > 2);
  CHECK(texts[0]->data() == "hookshot bench: 2 cores, R&D <model>, Linux 6.1");
  CHECK(texts[1]->data().rfind("a system call 1.00", 0) == 0);
  auto shown = [&](const std::string& s) {
    for (auto* t : texts)
      if (t->data() == s) return true;
    return false;
  };
  // The ratio over each pair of bars; the rate axis tops at the highest rate, 50k, in quarters.
  CHECK(shown("0.60\u00d7"));
  CHECK(shown("0.80\u00d7"));
  CHECK(shown("50k"));
  CHECK(shown("37.5k"));
  CHECK_FALSE(shown("many-webhooks"));
  // One curve per delivering scenario; a dot only where the last event's time is known.
  auto curves = elements(doc, "polyline");
  REQUIRE(curves.size() == 2);
  std::string points = curves[0]->get<std::string>("<xmlattr>.points");
  CHECK(std::count(points.begin(), points.end(), ',') == 5);
  auto dots = elements(doc, "circle");
  REQUIRE(dots.size() == 1);
  // At 0.75 s the curve is halfway between 100 and 400: 25 % up the panel (y 690 to 446).
  CHECK(dots[0]->get<double>("<xmlattr>.cy") == Approx(690 - 0.25 * (690 - 446)).margin(0.1));
  // Two scenarios, each with its engine and baseline bar and three latency bars.
  size_t bars = 0;
  for (auto* r : elements(doc, "rect"))
    if (r->get<std::string>("<xmlattr>.height", "") != "100%" && r->get<double>("<xmlattr>.width") > 10) ++bars;
  CHECK(bars == 2 * 2 + 2 * 3);
}

TEST_CASE("a long curve is thinned to about 800 points, keeping its last") {
  scenario_result r = rated("recovery", 30000, 50000);
  r.curve.clear();
  for (int i = 0; i <= 2500; ++i) r.curve.emplace_back(0.02 * i, static_cast<std::uint64_t>(i));
  r.deliveries = 2500;
  pt::ptree doc = parse(format_svg({r}, machine{}));
  auto curves = elements(doc, "polyline");
  REQUIRE(curves.size() == 1);
  std::string points = curves[0]->get<std::string>("<xmlattr>.points");
  auto n = std::count(points.begin(), points.end(), ',');
  CHECK(n >= 800);
  CHECK(n <= 900);
  // The last point is the run's end: right edge of the panel, at 100 %.
  CHECK(points.substr(points.find_last_not_of(' ') - 10).find("940.0,446.0") != std::string::npos);
}
