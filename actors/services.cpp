#include "actors/services.hpp"

#include <algorithm>

namespace hookshot::actors {

result<std::shared_ptr<const event>> services::load_event(std::uint64_t seq) {
  {
    std::lock_guard lock(events_mutex_);
    auto it = events_.find(seq);
    if (it != events_.end())
      if (auto ev = it->second.lock()) return ev;
  }
  auto stored = store->get_event(seq);
  if (!stored) return stored.error();
  metrics.event_reads.fetch_add(1, std::memory_order_relaxed);
  auto ev = std::make_shared<const event>(std::move(*stored));
  std::lock_guard lock(events_mutex_);
  // Forget events nobody holds any more, now and then, so the table stays small. Sweep when
  // the table has doubled since the last sweep: while many events are held (a backlog on the
  // wire) a fixed threshold would scan the whole table on every load.
  if (events_.size() >= sweep_at_) {
    boost::unordered::erase_if(events_, [](const auto& entry) { return entry.second.expired(); });
    sweep_at_ = std::max<size_t>(1024, 2 * events_.size());
  }
  // Another worker may have loaded it meanwhile: every holder shares the first copy.
  auto [it, added] = events_.try_emplace(seq, ev);
  if (!added) {
    if (auto first = it->second.lock()) return first;
    it->second = ev;
  }
  return ev;
}

size_t services::loaded_events() {
  std::lock_guard lock(events_mutex_);
  return events_.size();
}

}  // namespace hookshot::actors
