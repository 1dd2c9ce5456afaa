#include "bench/compare.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using hookshot::bench::a_runs_first;
using hookshot::bench::compared_result;
using hookshot::bench::comparison;
using hookshot::bench::comparison_json;
using hookshot::bench::format_comparison;
using hookshot::bench::pair_summary;
using hookshot::bench::scenario_result;
using hookshot::bench::summarize;

namespace {

scenario_result round_of(double ratio, double cpu_us, double writer_us) {
  scenario_result r;
  r.name = "throughput-os";
  r.deliveries = 1000;
  r.deliveries_per_s = 30000 * ratio;
  r.ratio = ratio;
  r.cpu_us_per_delivery = cpu_us;
  r.extra["cpu_us_writer"] = writer_us;
  return r;
}

const pair_summary* find(const std::vector<pair_summary>& all, const std::string& figure) {
  auto it = std::find_if(all.begin(), all.end(), [&](const pair_summary& s) { return s.figure == figure; });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("the engines alternate which runs first, round by round") {
  CHECK(a_runs_first(0));
  CHECK_FALSE(a_runs_first(1));
  CHECK(a_runs_first(2));
  CHECK_FALSE(a_runs_first(3));
}

TEST_CASE("summarize gives each figure's means, the mean of B - A and B's higher pairs") {
  compared_result r{"throughput-os",
                    {round_of(0.70, 42, 7.0), round_of(0.60, 45, 7.5), round_of(0.66, 43, 6.5)},
                    {round_of(0.72, 40, 6.0), round_of(0.58, 44, 6.5), round_of(0.70, 41, 6.0)}};
  auto all = summarize(r);

  const pair_summary* ratio = find(all, "ratio");
  REQUIRE(ratio);
  CHECK(ratio->pairs == 3);
  CHECK(ratio->mean_a == Approx((0.70 + 0.60 + 0.66) / 3));
  CHECK(ratio->mean_b == Approx((0.72 + 0.58 + 0.70) / 3));
  CHECK(ratio->mean_difference == Approx((0.02 - 0.02 + 0.04) / 3));
  CHECK(ratio->b_higher == 2);  // the second pair went A's way
  // Differences 0.02, -0.02, 0.04: standard error sqrt(0.0018667 / 2 / 3), t(2) = 4.303.
  REQUIRE(ratio->margin_95);
  CHECK(*ratio->margin_95 == Approx(4.303 * 0.0176383).epsilon(1e-4));
  CHECK_FALSE(ratio->shown());  // 0.013 +- 0.076 holds 0

  const pair_summary* cpu = find(all, "cpu_us_per_delivery");
  REQUIRE(cpu);
  CHECK(cpu->mean_difference == Approx(-5.0 / 3));
  CHECK(cpu->b_higher == 0);
  // Differences -2, -1, -2: standard error 1/3, so -1.67 +- 1.43 leaves out 0.
  REQUIRE(cpu->margin_95);
  CHECK(*cpu->margin_95 == Approx(4.303 / 3));
  CHECK(cpu->shown());

  const pair_summary* writer = find(all, "cpu_us_writer");
  REQUIRE(writer);
  CHECK(writer->mean_a == Approx(7.0));
  CHECK(writer->mean_b == Approx(6.1666667));
  CHECK_FALSE(find(all, "peak_anon_mb"));  // no round carried it

  // The engine's memory at its peak, when every round carries it.
  for (auto* side : {&r.a, &r.b})
    for (size_t i = 0; i < side->size(); ++i)
      (*side)[i].extra["peak_anon_mb"] = (side == &r.a ? 90.0 : 70.0) + static_cast<double>(i);
  auto with_memory = summarize(r);
  const pair_summary* memory = find(with_memory, "peak_anon_mb");
  REQUIRE(memory);
  CHECK(memory->mean_difference == Approx(-20.0));
  CHECK(memory->b_higher == 0);

  // A rated scenario is compared by its rate too (each side's ratio has its own raw-curl);
  // absent extras are left out.
  const pair_summary* rate = find(all, "deliveries_per_s");
  REQUIRE(rate);
  CHECK(rate->mean_difference == Approx(30000 * (0.02 - 0.02 + 0.04) / 3));
  CHECK(rate->b_higher == 2);
  CHECK_FALSE(find(all, "cpu_us_http"));
}

TEST_CASE("a figure missing from any round of either side is not compared") {
  compared_result r{"throughput-os", {round_of(0.70, 42, 7.0), round_of(0.60, 45, 7.5)},
                    {round_of(0.72, 40, 6.0), round_of(0.58, 44, 6.5)}};
  r.b[1].extra.erase("cpu_us_writer");
  auto all = summarize(r);
  CHECK(find(all, "ratio"));
  CHECK_FALSE(find(all, "cpu_us_writer"));
}

TEST_CASE("a scenario without a ratio is compared by its rate and its own figures") {
  scenario_result a, b;
  a.name = b.name = "recovery";
  a.deliveries_per_s = 36000;
  b.deliveries_per_s = 38000;
  a.extra["time_to_first_delivery_s"] = 0.40;
  b.extra["time_to_first_delivery_s"] = 0.35;
  auto all = summarize(compared_result{"recovery", {a}, {b}});
  CHECK_FALSE(find(all, "ratio"));
  const pair_summary* rate = find(all, "deliveries_per_s");
  REQUIRE(rate);
  CHECK(rate->mean_difference == Approx(2000));
  CHECK(rate->b_higher == 1);
  const pair_summary* first = find(all, "time_to_first_delivery_s");
  REQUIRE(first);
  CHECK(first->mean_difference == Approx(-0.05));
  CHECK(first->b_higher == 0);
  // One pair has no spread to judge by: no interval, and nothing is shown.
  CHECK_FALSE(first->margin_95);
  CHECK_FALSE(first->shown());
}

TEST_CASE("the comparison's table and JSON show every round and B's median round") {
  comparison c{"/opt/old/hookshot",
               {{"throughput-os",
                 {round_of(0.70, 42, 7.0), round_of(0.60, 45, 7.5), round_of(0.66, 43, 6.5)},
                 {round_of(0.72, 40, 6.0), round_of(0.58, 44, 6.5), round_of(0.70, 41, 6.0)}}}};
  std::string table = format_comparison(c);
  CHECK(table.find("B = /opt/old/hookshot's") != std::string::npos);
  CHECK(table.find("3 rounds") != std::string::npos);
  CHECK(table.find("ratio by round, A | B: 0.700 0.600 0.660 | 0.720 0.580 0.700") != std::string::npos);
  CHECK(table.find("2 of 3") != std::string::npos);
  CHECK(table.find("0.076  ") != std::string::npos);  // the ratio's margin, 0 inside it
  CHECK(table.find("1.4 *") != std::string::npos);    // the CPU's, 0 outside it

  auto j = comparison_json(c);
  CHECK(j.at("engine").as_string() == "/opt/old/hookshot");
  CHECK(j.at("rounds").to_number<int>() == 3);
  const auto& result = j.at("results").as_array().at(0).as_object();
  const auto& ratio = result.at("summaries").as_array().at(0).as_object();
  CHECK(ratio.at("figure").as_string() == "ratio");
  CHECK(ratio.at("margin_95").to_number<double>() == Approx(0.0759).epsilon(1e-3));
  const auto& rounds = result.at("rounds").as_array();
  REQUIRE(rounds.size() == 3);
  CHECK(rounds[0].as_object().at("first").as_string() == "a");
  CHECK(rounds[1].as_object().at("first").as_string() == "b");
  CHECK(rounds[1].as_object().at("ratio_b").to_number<double>() == Approx(0.58));
  // B's median round, in the report's scenario format.
  const auto& median = j.at("scenarios").as_array().at(0).as_object();
  CHECK(median.at("name").as_string() == "throughput-os");
  CHECK(median.at("ratio").to_number<double>() == Approx(0.70));
  CHECK(median.at("extra").as_object().at("rounds").to_number<int>() == 3);
}
