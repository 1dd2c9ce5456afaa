#pragma once

// How many pending deliveries and delivery records name each stored event, by event seq: the
// writer's count of what keeps an event alive (an event nobody names is swept).
//
// Event seqs are handed out in order, and events mostly lose their last reference in about
// that order, so the counts live in a window of consecutive seqs: an array, no hashing, a
// cache line covering sixteen neighbours (the sweep asks about every event it walks past, in
// key order). A count the window leaves behind (an old event still named: a delivery waiting
// for a retry, a record of a webhook that went quiet) moves to a map, so the window stays
// within a few times the number of events it holds alive, whatever the oldest one is.
//
// Thread safety: none (the writer thread's).

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <vector>

namespace hookshot::storage {

class event_refs {
 public:
  /// Adds `delta` (negative: drops) to the event's count; at zero or below the event is no
  /// longer named.
  void add(std::uint64_t seq, int delta);
  /// True while the event is named.
  bool contains(std::uint64_t seq) const;
  /// The first seq in [from, limit) whose event is not named, or `limit` if every one is. A
  /// run of named events in the window is a scan of the array, so a sweep can step over a
  /// backlog's events here instead of walking them in the table.
  std::uint64_t first_unnamed(std::uint64_t from, std::uint64_t limit) const;
  /// Events named.
  size_t size() const { return live_ + far_.size(); }
  /// Counts held in the window (named or not) and in the map: the memory in use, for tests.
  size_t window_length() const { return length_; }
  size_t far_count() const { return far_.size(); }

  /// The window may be this much longer than four times the events it holds alive.
  static constexpr size_t kSlack = 4096;

 private:
  std::uint32_t& at(std::uint64_t seq) { return ring_[(head_ + (seq - base_)) & (ring_.size() - 1)]; }
  std::uint32_t at(std::uint64_t seq) const {
    return ring_[(head_ + (seq - base_)) & (ring_.size() - 1)];
  }
  // Makes the window reach `seq` (>= base_), or, when that would make it much longer than
  // the events it holds need, moves those to the map and starts the window at `seq`.
  void cover(std::uint64_t seq);
  // Drops unnamed counts from the window's front, and named ones into the map while the
  // window is longer than kSlack + 4 × live_.
  void trim_front();
  void pop_front();

  std::vector<std::uint32_t> ring_;  // capacity a power of two (or empty)
  size_t head_ = 0;                  // ring_ index of base_
  size_t length_ = 0;                // seqs base_ .. base_ + length_ - 1 are in the window
  std::uint64_t base_ = 0;           // never decreases; every key of far_ is below it
  size_t live_ = 0;                  // non-zero counts in the window
  boost::unordered_flat_map<std::uint64_t, std::uint32_t> far_;
};

}  // namespace hookshot::storage
