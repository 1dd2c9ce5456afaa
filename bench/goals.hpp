#pragma once

// The performance goals hookshot holds itself to, and where one `hookshot bench` run stands
// against each: the report's "goals" section and the JSON's "goals". A goal is one figure of
// one scenario with a bound. Its verdict reads the reported round (the median one with
// `--rounds`), and, for a ratio measured over two rounds or more, their mean and its 95 %
// interval (bench/rounds.hpp): on a noisy machine one round says little, and whether a goal
// is met in an hour is a question about the mean.

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "bench/scenarios.hpp"

namespace hookshot::bench {

struct goal {
  std::string scenario;  // the result it reads: "throughput-fsync"
  std::string figure;    // "ratio", "cpu_us_per_delivery", or the name of an extra figure
  double bound = 0;
  bool at_least = true;  // the figure must be >= bound (false: <= bound)
  std::string text;      // what it asks, as a person reads it
};

/// The benchmark issue's goals, for the 2-core development machine, in the report's order.
const std::vector<goal>& goals();

/// Where a run stands against one goal. With an interval: met when all of it satisfies the
/// bound, met on average when the mean does and the interval reaches past the bound, not met
/// on average when only the interval reaches the bound, not met when none of it does.
/// Without one, met or not met by the reported round's figure.
enum class standing { met, met_on_average, not_met_on_average, not_met };

/// "met", "met on average", "not met on average", "not met".
const char* standing_text(standing s);

/// A ratio to raw-curl in the machine's terms. Both runs keep the two cores busy (the engine's
/// with its sink and the bench's posting, raw-curl's with the same sink), so the ratio is what
/// each spends of the machine per delivery, and the goal a budget: `allowed_us`, (raw-curl's
/// loops + its sink per request) / the bound. The engine's run spends `delivering_us` per
/// delivery while no event comes in (its drain: the engine, the sink and the bench) and
/// `intake_us` per delivery on top for taking the events in (posting, intake, storing and
/// routing them). left_us() is what the budget leaves for the intake: below intake_us the goal
/// needs cheaper deliveries or a cheaper intake; below 0, even a free intake would not meet it
/// at this drain's price. An estimate: a run whose cores idle meets less than its budget says.
struct cpu_split {
  double allowed_us = 0;
  double delivering_us = 0;
  double intake_us = 0;
  double left_us() const { return allowed_us - delivering_us; }
};

struct goal_verdict {
  goal g;
  double value = 0;                  // the reported round's figure
  std::optional<double> mean;        // a ratio's mean over the rounds (two or more)
  std::optional<double> margin_95;   // half its 95 % interval
  std::optional<cpu_split> split;    // a ratio to raw-curl whose run timed its drain

  /// Where the figures stand against g (see standing).
  standing verdict() const;
};

/// Every goal whose scenario is among `results` and carries its figure, in goals() order.
std::vector<goal_verdict> judge_goals(const std::vector<scenario_result>& results);

/// The report's section: one line per verdict, and under a ratio with its CPU split a line
/// with the split. `quick`: says the run was scaled down, so the verdicts only indicate (the
/// goals are for full-size runs). Empty without verdicts.
std::string format_goals(const std::vector<goal_verdict>& verdicts, bool quick);

/// One object per verdict: goal, scenario, figure, bound, at_least, value, mean and
/// margin_95 (null without), verdict, and cpu_split {allowed_us, delivering_us, intake_us,
/// left_us} (null without).
boost::json::array goals_json(const std::vector<goal_verdict>& verdicts);

}  // namespace hookshot::bench
