#include "actors/delivery_box.hpp"

#include <algorithm>
#include <iterator>

namespace hookshot::actors {

bool delivery_box::put(std::vector<work_item>&& items) {
  if (items.empty()) return false;
  pending_->fetch_add(static_cast<std::int64_t>(items.size()), std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  if (items_.empty())
    items_.swap(items);
  else
    items_.insert(items_.end(), std::make_move_iterator(items.begin()), std::make_move_iterator(items.end()));
  items.clear();
  if (woken_ || !(hungry_ || items_.size() >= wake_at_)) return false;
  woken_ = true;
  hungry_ = false;
  return true;
}

std::vector<work_item> delivery_box::take(bool room, std::size_t line_room) {
  std::vector<work_item> out;
  std::lock_guard lock(mutex_);
  out.swap(items_);
  woken_ = false;
  hungry_ = room && out.empty();
  wake_at_ = line_room > out.size() ? line_room - out.size() : 1;
  return out;
}

}  // namespace hookshot::actors
