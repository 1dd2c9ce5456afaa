#include "storage/event_refs.hpp"

#include <algorithm>

namespace hookshot::storage {

void event_refs::add(std::uint64_t seq, int delta) {
  if (seq < base_) {  // behind the window
    auto it = far_.try_emplace(seq, 0).first;
    std::int64_t n = static_cast<std::int64_t>(it->second) + delta;
    if (n <= 0) far_.erase(it);
    else it->second = static_cast<std::uint32_t>(n);
    return;
  }
  if (seq - base_ >= length_) {
    if (delta <= 0) return;  // never named: nothing to drop
    cover(seq);
  }
  std::uint32_t& count = at(seq);
  std::int64_t n = static_cast<std::int64_t>(count) + delta;
  std::uint32_t now = n <= 0 ? 0 : static_cast<std::uint32_t>(n);
  if ((count == 0) != (now == 0)) now == 0 ? --live_ : ++live_;
  count = now;
  if ((now == 0 && seq == base_) || length_ > kSlack + 4 * live_) trim_front();
}

bool event_refs::contains(std::uint64_t seq) const {
  if (seq < base_) return far_.contains(seq);
  return seq - base_ < length_ && at(seq) != 0;
}

std::uint64_t event_refs::first_unnamed(std::uint64_t from, std::uint64_t limit) const {
  std::uint64_t s = from;
  for (; s < limit && s < base_; ++s)
    if (!far_.contains(s)) return s;
  for (std::uint64_t end = std::min<std::uint64_t>(limit, base_ + length_); s < end; ++s)
    if (at(s) == 0) return s;
  return s;  // limit, or the first seq past the window (where nothing is named)
}

void event_refs::cover(std::uint64_t seq) {
  if (length_ == 0) {
    base_ = seq;  // forward only: every key of far_ stays below it
    head_ = 0;
  } else if (seq - base_ + 1 > kSlack + 4 * (live_ + 1)) {
    // A jump far past the window (seqs read back at open, out of order): what the window
    // holds alive goes to the map rather than the window spanning the gap.
    for (std::uint64_t s = base_; s < base_ + length_; ++s)
      if (std::uint32_t c = at(s)) far_[s] = c;
    live_ = 0;
    length_ = 0;
    base_ = seq;
    head_ = 0;
  }
  size_t need = static_cast<size_t>(seq - base_) + 1;
  if (need > ring_.size()) {
    size_t capacity = ring_.empty() ? 1024 : ring_.size();
    while (capacity < need) capacity *= 2;
    std::vector<std::uint32_t> grown(capacity, 0);
    for (size_t i = 0; i < length_; ++i) grown[i] = ring_[(head_ + i) & (ring_.size() - 1)];
    ring_.swap(grown);
    head_ = 0;
  }
  for (size_t i = length_; i < need; ++i) ring_[(head_ + i) & (ring_.size() - 1)] = 0;
  length_ = need;
}

void event_refs::pop_front() {
  head_ = (head_ + 1) & (ring_.size() - 1);
  --length_;
  ++base_;
}

void event_refs::trim_front() {
  while (length_ > 0) {
    std::uint32_t front = ring_[head_];
    if (front != 0) {
      if (length_ <= kSlack + 4 * live_) return;
      far_[base_] = front;  // an old event still named: the window moves on without it
      --live_;
    }
    pop_front();
  }
}

}  // namespace hookshot::storage
