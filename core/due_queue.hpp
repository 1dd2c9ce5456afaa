#pragma once

// Sequence numbers waiting for a time (a webhook's deliveries waiting to be retried, or not yet
// due after a restart), earliest first; equal times in sequence order.
//
// The owner keeps one timer for the earliest time instead of one per entry, so a delivery
// waiting for an hour costs 16 bytes here rather than a timer and a message held by the actor
// system's clock (about 250 bytes each: a dead receiver's retries add up). One vector as a
// binary heap: an empty queue allocates nothing, and one that empties gives back a large
// allocation.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace hookshot {

class due_queue {
 public:
  void push(std::int64_t due_ms, std::uint64_t seq) {
    heap_.emplace_back(due_ms, seq);
    std::push_heap(heap_.begin(), heap_.end(), later);
  }
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }

  /// The earliest time waited for; the queue must not be empty.
  std::int64_t next_due() const { return heap_.front().first; }

  /// Removes every entry due at or before `until`, earliest first, calling fn(seq) for each.
  template <class F>
  void take_due(std::int64_t until, F&& fn) {
    while (!heap_.empty() && heap_.front().first <= until) {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      std::uint64_t seq = heap_.back().second;
      heap_.pop_back();
      fn(seq);
    }
    if (heap_.empty() && heap_.capacity() > kKeepCapacity) std::vector<entry>().swap(heap_);
  }

  /// Slots allocated (for tests of the bound above).
  size_t capacity() const { return heap_.capacity(); }

 private:
  using entry = std::pair<std::int64_t, std::uint64_t>;  // (due, seq)
  static bool later(const entry& a, const entry& b) { return a > b; }
  static constexpr size_t kKeepCapacity = 1024;
  std::vector<entry> heap_;
};

}  // namespace hookshot
