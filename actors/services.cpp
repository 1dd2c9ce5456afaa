#include "actors/services.hpp"

namespace hookshot::actors {

result<std::shared_ptr<const event>> services::load_event(std::uint64_t seq) {
  std::lock_guard lock(events_mutex_);
  auto it = events_.find(seq);
  if (it != events_.end())
    if (auto ev = it->second.lock()) return ev;
  auto stored = store->get_event(seq);
  if (!stored) return stored.error();
  auto ev = std::make_shared<const event>(std::move(*stored));
  // Forget events nobody holds any more, now and then, so the table stays small.
  if (events_.size() >= 1024) {
    for (auto i = events_.begin(); i != events_.end();)
      i = i->second.expired() ? events_.erase(i) : std::next(i);
  }
  events_[seq] = ev;
  return ev;
}

}  // namespace hookshot::actors
