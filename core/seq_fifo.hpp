#pragma once

// A first-in first-out line of sequence numbers (a webhook's deliveries due now).
//
// One vector and a read position: an empty line costs no allocation (a std::deque allocates
// about 600 bytes even when empty, in every idle webhook). The part already taken is dropped
// once it is at least half the vector, so a line that never empties (a receiver that stays
// behind for days) keeps memory in proportion to what it holds, not to what went through it.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hookshot {

class seq_fifo {
 public:
  void push(std::uint64_t seq) { items_.push_back(seq); }
  bool empty() const { return head_ == items_.size(); }
  size_t size() const { return items_.size() - head_; }

  /// The oldest; the line must not be empty.
  std::uint64_t pop() {
    std::uint64_t seq = items_[head_++];
    if (head_ == items_.size()) {
      items_.clear();
      head_ = 0;
    } else if (head_ >= kCompactAt && head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    return seq;
  }

  /// Slots allocated (for tests of the bound above).
  size_t capacity() const { return items_.capacity(); }

 private:
  static constexpr size_t kCompactAt = 1024;
  std::vector<std::uint64_t> items_;
  size_t head_ = 0;
};

}  // namespace hookshot
