#include "bench/goals.hpp"

#include <catch2/catch.hpp>

#include <string>

using hookshot::bench::format_goals;
using hookshot::bench::goal_verdict;
using hookshot::bench::goals_json;
using hookshot::bench::judge_goals;
using hookshot::bench::scenario_result;
using hookshot::bench::standing;

namespace {

scenario_result result(const std::string& name, double ratio) {
  scenario_result r;
  r.name = name;
  r.ratio = ratio;
  return r;
}

// The rounds' statistics, as median_round reports them.
scenario_result rounds(scenario_result r, double mean, double margin) {
  r.extra["rounds"] = 5;
  r.extra["ratio_mean"] = mean;
  r.extra["ratio_margin_95"] = margin;
  return r;
}

standing verdict_for(const std::vector<goal_verdict>& all, const std::string& text_start) {
  for (const auto& v : all)
    if (v.g.text.rfind(text_start, 0) == 0) return v.verdict();
  FAIL("no verdict for " << text_start);
  return standing::not_met;
}

}  // namespace

TEST_CASE("one round is judged by its own figure") {
  scenario_result slow = result("slow-receivers", 0.965);
  slow.cpu_us_per_delivery = 61.5;
  slow.extra["ratio_to_cloudstack_pool"] = 194;
  auto all = judge_goals({result("throughput-fsync", 0.61), result("throughput-os", 0.72), slow});
  REQUIRE(all.size() == 5);  // both throughputs' ratios, and slow receivers' rate, CPU and pool
  CHECK(verdict_for(all, "throughput, fsync") == standing::met);
  CHECK(verdict_for(all, "throughput, os") == standing::not_met);
  CHECK(verdict_for(all, "slow receivers: >= 0.95") == standing::met);
  CHECK(verdict_for(all, "slow receivers: <= 60 us") == standing::not_met);  // an upper bound
  CHECK(verdict_for(all, "slow receivers: >= 100") == standing::met);
  for (const auto& v : all) {
    CHECK_FALSE(v.mean);
    CHECK_FALSE(v.margin_95);
  }
}

TEST_CASE("a ratio over rounds is judged by its mean and interval") {
  auto all = judge_goals({rounds(result("throughput-fsync", 0.62), 0.627, 0.019),  // 0.608-0.646
                          rounds(result("fanout", 0.80), 0.815, 0.026),            // 0.789-0.841
                          rounds(result("throughput-os", 0.78), 0.78, 0.03)});     // 0.75-0.81
  REQUIRE(all.size() == 3);
  CHECK(verdict_for(all, "throughput, fsync") == standing::met);
  CHECK(verdict_for(all, "fan-out") == standing::met_on_average);
  CHECK(verdict_for(all, "throughput, os") == standing::not_met_on_average);
  REQUIRE(all[0].mean);
  CHECK(*all[0].mean == Approx(0.627));
  CHECK(*all[0].margin_95 == Approx(0.019));

  auto below = judge_goals({rounds(result("throughput-os", 0.72), 0.723, 0.016)});
  REQUIRE(below.size() == 1);
  CHECK(below[0].verdict() == standing::not_met);  // 0.707-0.739: all of it below 0.8
}

TEST_CASE("goals whose scenario did not run, or lacks the figure, are left out") {
  scenario_result many;
  many.name = "many-webhooks";
  many.extra["rss_kib_per_webhook"] = 1.51;
  scenario_result recovery;
  recovery.name = "recovery";  // a run that never delivered has no time to first delivery
  scenario_result retries = result("retries", 0.6);  // no goal
  auto all = judge_goals({many, recovery, retries});
  REQUIRE(all.size() == 1);
  CHECK(all[0].g.figure == "rss_kib_per_webhook");
  CHECK(all[0].verdict() == standing::met);
  CHECK(judge_goals({}).empty());
  CHECK(format_goals({}, false).empty());
}

TEST_CASE("the report lists each verdict, and the JSON carries its figures") {
  scenario_result fsync = rounds(result("throughput-fsync", 0.617), 0.621, 0.027);
  fsync.extra["half_rate_p99_ms"] = 5.4;
  auto all = judge_goals({fsync});
  REQUIRE(all.size() == 2);

  std::string text = format_goals(all, false);
  CHECK(text.find("throughput, fsync: >= 0.6 x raw-curl") != std::string::npos);
  CHECK(text.find("0.617; mean 0.621 +- 0.027") != std::string::npos);
  CHECK(text.find("met on average") != std::string::npos);
  CHECK(text.find("p99 at half rate, fsync: <= 10 ms") != std::string::npos);
  CHECK(text.find("--quick") == std::string::npos);
  CHECK(format_goals(all, true).find("--quick: scaled down") != std::string::npos);

  auto json = goals_json(all);
  REQUIRE(json.size() == 2);
  const auto& ratio = json[0].as_object();
  CHECK(ratio.at("scenario").as_string() == "throughput-fsync");
  CHECK(ratio.at("figure").as_string() == "ratio");
  CHECK(ratio.at("bound").as_double() == Approx(0.6));
  CHECK(ratio.at("at_least").as_bool());
  CHECK(ratio.at("value").as_double() == Approx(0.617));
  CHECK(ratio.at("mean").as_double() == Approx(0.621));
  CHECK(ratio.at("margin_95").as_double() == Approx(0.027));
  CHECK(ratio.at("verdict").as_string() == "met on average");
  const auto& p99 = json[1].as_object();
  CHECK_FALSE(p99.at("at_least").as_bool());
  CHECK(p99.at("mean").is_null());  // the rounds' statistics are the ratio's
  CHECK(p99.at("verdict").as_string() == "met");
}

TEST_CASE("a ratio to raw-curl is also put in the machine's CPU per delivery") {
  // The forty-first session's median throughput-os round, in round figures.
  scenario_result os = result("throughput-os", 0.717);
  os.baseline = hookshot::bench::baseline_result{"raw-curl", 53000, 0, 0};
  os.extra["raw_curl_cpu_us"] = 30.0;
  os.extra["raw_curl_sink_cpu_us"] = 9.6;
  os.extra["drain_all_cpu_us"] = 48.2;
  os.extra["ingest_cpu_us_per_delivery"] = 7.0;
  os.extra["half_rate_p99_ms"] = 3.6;
  auto all = judge_goals({os});
  REQUIRE(all.size() == 2);
  REQUIRE(all[0].split);
  CHECK(all[0].split->allowed_us == Approx(49.5));  // (30 + 9.6) / 0.8
  CHECK(all[0].split->delivering_us == Approx(48.2));
  CHECK(all[0].split->intake_us == Approx(7.0));
  CHECK(all[0].split->left_us() == Approx(1.3));
  CHECK_FALSE(all[1].split);  // the p99 is not a ratio

  std::string text = format_goals(all, false);
  CHECK(text.find("the goal allows 49.5 us; delivering spent 48.2, leaving 1.3 for taking "
                  "events in, which cost 7.0") != std::string::npos);
  auto json = goals_json(all);
  const auto& split = json[0].as_object().at("cpu_split").as_object();
  CHECK(split.at("allowed_us").as_double() == Approx(49.5));
  CHECK(split.at("delivering_us").as_double() == Approx(48.2));
  CHECK(split.at("intake_us").as_double() == Approx(7.0));
  CHECK(split.at("left_us").as_double() == Approx(1.3));
  CHECK(json[1].as_object().at("cpu_split").is_null());
}

TEST_CASE("a ratio without raw-curl's figures or a timed drain has no CPU split") {
  scenario_result os = result("throughput-os", 0.7);
  os.baseline = hookshot::bench::baseline_result{"raw-curl", 53000, 0, 0};
  os.extra["raw_curl_cpu_us"] = 30.0;
  os.extra["raw_curl_sink_cpu_us"] = 9.6;  // but the drain was too short to time
  scenario_result slow = result("slow-receivers", 0.96);  // against the ideal
  slow.baseline = hookshot::bench::baseline_result{"ideal", 10000, 0, 0};
  slow.extra["drain_all_cpu_us"] = 67.0;
  slow.extra["ingest_cpu_us_per_delivery"] = 3.0;
  auto all = judge_goals({os, slow});
  REQUIRE(all.size() == 2);
  for (const auto& v : all) CHECK_FALSE(v.split);
  CHECK(format_goals(all, false).find("the goal allows") == std::string::npos);
}
