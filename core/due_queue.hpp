#pragma once

// Entries waiting for a time (a webhook's deliveries waiting to be retried, or not yet due
// after a restart), earliest first; equal times in sequence order. `T` has `due_ms` and `seq`.
//
// The owner keeps one timer for the earliest time instead of one per entry, so a delivery
// waiting for an hour costs its entry here rather than a timer and a message held by the
// actor system's clock (about 250 bytes each: a dead receiver's retries add up). One vector
// as a binary heap: an empty queue allocates nothing, and one that empties gives back a large
// allocation.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <utility>
#include <vector>

namespace hookshot {

template <class T>
class due_queue {
 public:
  void push(T entry) {
    heap_.push_back(std::move(entry));
    std::push_heap(heap_.begin(), heap_.end(), later);
  }
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  /// The earliest time waited for; the queue must not be empty.
  std::int64_t next_due() const { return heap_.front().due_ms; }

  /// Takes out every entry due at or before `until`, earliest first, calling fn(T&&) for each.
  template <class F>
  void take_due(std::int64_t until, F&& fn) {
    while (!heap_.empty() && heap_.front().due_ms <= until) {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      T entry = std::move(heap_.back());
      heap_.pop_back();
      fn(std::move(entry));
    }
    if (heap_.empty() && heap_.capacity() > kKeepCapacity) std::vector<T>().swap(heap_);
  }

  /// Calls fn(T&) for each, in no particular order.
  template <class F>
  void for_each(F&& fn) {
    for (T& entry : heap_) fn(entry);
  }

  /// Slots allocated (for tests of the bound above).
  size_t capacity() const { return heap_.capacity(); }

 private:
  static bool later(const T& a, const T& b) {
    return std::tie(a.due_ms, a.seq) > std::tie(b.due_ms, b.seq);
  }
  static constexpr size_t kKeepCapacity = 1024;
  std::vector<T> heap_;
};

}  // namespace hookshot
