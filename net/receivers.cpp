#include "net/receivers.hpp"

#include <algorithm>

#include "core/url_policy.hpp"

namespace hookshot::net {

receiver& receivers::of(std::string_view url) {
  std::string_view origin = url_origin(url);
  auto it = by_origin_.find(origin);
  if (it != by_origin_.end()) return *it->second;
  auto r = std::make_unique<receiver>(std::string(origin), share_);
  receiver& ref = *r;
  by_origin_.emplace(ref.origin, std::move(r));
  publish(ref);
  return ref;
}

void receivers::sending(receiver& r, clock::time_point now) {
  if (r.timed || !r.share.in_first_round()) return;
  r.timed = true;
  r.first_round_ends = now + kFirstRoundMs;
  first_rounds_.push_back(&r);
}

void receivers::wait(receiver& r, http_request request) {
  r.waiting.push_back(std::move(request));
  ++waiting_;
  stand_in_line(r);
}

void receivers::stand_in_line(receiver& r) {
  if (r.ready || r.waiting.empty() || !r.has_room()) return;
  r.ready = true;
  line_.push_back(&r);
}

bool receivers::next(receiver*& r, http_request& request) {
  while (!line_.empty()) {
    receiver* front = line_.front();
    line_.pop_front();
    front->ready = false;
    if (front->waiting.empty() || !front->has_room()) continue;
    request = std::move(front->waiting.front());
    front->waiting.pop_front();
    --waiting_;
    r = front;
    return true;
  }
  return false;
}

void receivers::answered(receiver& r, std::int64_t rtt_us) {
  r.share.on_answer(rtt_us, r.active);
  publish(r);
}

void receivers::end_due_first_rounds(clock::time_point now) {
  while (!first_rounds_.empty()) {
    receiver& r = *first_rounds_.front();
    if (r.share.in_first_round()) {
      if (now < r.first_round_ends) return;
      r.share.end_first_round();  // slow to answer: its backlog goes out, its answers still count
      publish(r);
      stand_in_line(r);
    }
    r.timed = false;
    first_rounds_.pop_front();
  }
}

long receivers::first_round_wait_ms(long cap, clock::time_point now) const {
  if (first_rounds_.empty()) return cap;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(first_rounds_.front()->first_round_ends - now);
  return std::clamp<long>(left.count(), 0, cap);
}

size_t receivers::drop_waiting() {
  size_t dropped = waiting_;
  for (auto& [origin, r] : by_origin_) {
    r->waiting.clear();
    r->ready = false;
  }
  line_.clear();
  waiting_ = 0;
  return dropped;
}

void receivers::forget_idle() {
  if (by_origin_.size() <= forget_above_) return;
  std::lock_guard lock(limits_mutex_);
  boost::unordered::erase_if(by_origin_, [this](const auto& entry) {
    const receiver& r = *entry.second;
    if (r.active != 0 || !r.waiting.empty() || r.ready || r.timed) return false;
    published_.erase(r.origin);
    return true;
  });
  forget_above_ = std::max<size_t>(256, 2 * by_origin_.size());
}

void receivers::publish(receiver& r) {
  if (r.share.limit() == r.published) return;
  r.published = r.share.limit();
  std::lock_guard lock(limits_mutex_);
  published_[r.origin] = r.published;
}

std::vector<std::pair<std::string, size_t>> receivers::limits() const {
  std::lock_guard lock(limits_mutex_);
  return {published_.begin(), published_.end()};
}

}  // namespace hookshot::net
