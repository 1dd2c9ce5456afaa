#include "core/concurrency_limit.hpp"

#include <algorithm>

namespace hookshot {

namespace {
// A round of fewer answers is mostly noise.
constexpr std::size_t kMinRoundSamples = 8;
// Rounds above 2 × min between two probes: a probe costs about two round trips at `min` in
// flight, under 1 % of the throughput at this spacing.
constexpr std::size_t kProbeEveryRounds = 256;
}  // namespace

concurrency_limit::concurrency_limit(options o) : opt_(o) {
  opt_.max = std::max<std::size_t>(1, opt_.max);
  opt_.min = std::clamp<std::size_t>(opt_.min, 1, opt_.max);
  limit_ = opt_.min;  // the first round: measuring the receiver unloaded
  first_round_ = opt_.min < opt_.max;  // a fixed cap has nothing to measure
}

void concurrency_limit::end_first_round() {
  if (!first_round_) return;
  if (samples_ > 0) {  // it answers: the rest are late, not a measure of its pace
    end_round(0);
    return;
  }
  first_round_ = false;
  limit_ = opt_.max;
}

void concurrency_limit::on_answer(std::int64_t rtt_us, std::size_t in_flight) {
  if (skip_ > 0) {
    --skip_;
    return;
  }
  sum_us_ += static_cast<double>(std::max<std::int64_t>(rtt_us, 1));
  ++samples_;
  if (2 * in_flight >= limit_) used_ = true;
  if (samples_ >= (measured_ ? std::max(kMinRoundSamples, limit_) : kMinRoundSamples))
    end_round(in_flight);
}

void concurrency_limit::end_round(std::size_t in_flight) {
  double avg = sum_us_ / static_cast<double>(samples_);
  bool used = used_;
  sum_us_ = 0;
  samples_ = 0;
  used_ = false;
  if (!measured_) {  // the first answers: their requests went out with at most `min` in flight
    measured_ = true;
    base_us_ = avg;
    if (first_round_) {  // answered within the first round: fast enough to find its level
      first_round_ = false;
      slow_start_ = true;
      limit_ = std::min(opt_.max, 2 * limit_);
    }
    return;
  }
  if (unloaded()) {
    base_us_ = avg;  // measured unloaded: whatever it was before, this is the receiver now
    rounds_above_ = 0;
    if (probe_return_ > 0) {  // the probe's round: back to where it was, judged from here on
      limit_ = probe_return_;
      probe_return_ = 0;
      return;
    }
  } else {
    base_us_ = std::min(base_us_, avg);
    ++rounds_above_;
  }
  double queueing = avg / base_us_;
  double current = static_cast<double>(limit_);
  if (queueing > opt_.queueing_factor) {
    double pipe = current * opt_.queueing_factor / queueing;
    lower_to(std::max(opt_.min, static_cast<std::size_t>(std::max(pipe, current / 2))), in_flight);
    slow_start_ = false;
  } else if (used) {
    std::size_t step = slow_start_ ? limit_ : std::max<std::size_t>(1, limit_ / 8);
    limit_ = std::min(opt_.max, limit_ + step);
  }
  if (rounds_above_ >= kProbeEveryRounds && !unloaded()) {
    probe_return_ = limit_;  // a probe: one round at `min` measures the base again
    lower_to(opt_.min, in_flight);
  }
}

void concurrency_limit::lower_to(std::size_t limit, std::size_t in_flight) {
  limit_ = limit;
  skip_ = in_flight > 0 ? in_flight - 1 : 0;  // the others on the wire, sent at the old limit
}

}  // namespace hookshot
