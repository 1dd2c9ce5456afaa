#pragma once

// A first-in first-out line (a webhook's deliveries due now, in the order they came).
//
// One vector and a read position: an empty line costs no allocation (a std::deque allocates
// about 600 bytes even when empty, in every idle webhook). The part already taken is dropped
// once it is at least half the vector, so a line that never empties (a receiver that stays
// behind for days) keeps memory in proportion to what it holds, not to what went through it.

#include <cstddef>
#include <utility>
#include <vector>

namespace hookshot {

template <class T>
class fifo {
 public:
  void push(T value) { items_.push_back(std::move(value)); }
  bool empty() const { return head_ == items_.size(); }
  size_t size() const { return items_.size() - head_; }

  /// Takes out the oldest; the line must not be empty.
  T pop() {
    T value = std::move(items_[head_++]);
    if (head_ == items_.size()) {
      items_.clear();
      head_ = 0;
    } else if (head_ >= kCompactAt && head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    return value;
  }

  /// Calls fn(T&) for each, oldest first.
  template <class F>
  void for_each(F&& fn) {
    for (size_t i = head_; i < items_.size(); ++i) fn(items_[i]);
  }

  /// Slots allocated (for tests of the bound above).
  size_t capacity() const { return items_.capacity(); }

 private:
  static constexpr size_t kCompactAt = 1024;
  std::vector<T> items_;
  size_t head_ = 0;
};

}  // namespace hookshot
