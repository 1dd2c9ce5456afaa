#include "storage/writer.hpp"

#include <pthread.h>

#include <chrono>
#include <cstdio>

namespace hookshot::storage {

writer::writer(lmdb_store& store)
    : store_(store), thread_([this] {
        pthread_setname_np(pthread_self(), "hs-writer");
        run();
      }) {}

writer::~writer() {
  stop();
}

void writer::submit(write_batch batch, callback done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      bool urgent = static_cast<bool>(done);
      queue_.emplace_back(std::move(batch), std::move(done));
      urgent_queued_ = urgent_queued_ || urgent;
      if (sleeping_ && (!gathering_ || urgent || queue_.size() >= kGatherBatches)) wake_.notify_one();
      return;
    }
  }
  if (done) done(status::unavailable("storage is shutting down"));
}

void writer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

write_batch writer::take_batch() {
  std::lock_guard lock(spare_mutex_);
  if (spare_.empty()) return {};
  write_batch b = std::move(spare_.back());
  spare_.pop_back();
  spare_bytes_ -= b.capacity_bytes();
  return b;
}

void writer::recycle(write_batch&& batch) {
  static const size_t kNothingAllocated = write_batch{}.capacity_bytes();
  size_t bytes = batch.capacity_bytes();
  if (bytes == kNothingAllocated || bytes > kMaxRecycledBytes) return;
  batch.clear();
  std::lock_guard lock(spare_mutex_);
  if (spare_bytes_ + bytes > kRecycledBytes) return;
  spare_bytes_ += bytes;
  spare_.push_back(std::move(batch));
}

std::uint64_t writer::commits() const {
  std::lock_guard lock(mutex_);
  return commits_;
}

std::uint64_t writer::batches() const {
  std::lock_guard lock(mutex_);
  return batches_;
}

// At most one line per second while writes keep failing (a full disk fails every commit).
void writer::log_failure(const status& st) {
  auto now = std::chrono::steady_clock::now();
  if (failures_since_log_ > 0 && now - last_failure_log_ < std::chrono::seconds(1)) {
    ++failures_since_log_;
    return;
  }
  if (failures_since_log_ > 1)
    std::fprintf(stderr, "hookshot: storage write failed: %s (and %llu more in the last second)\n",
                 st.message().c_str(), static_cast<unsigned long long>(failures_since_log_ - 1));
  else
    std::fprintf(stderr, "hookshot: storage write failed: %s\n", st.message().c_str());
  failures_since_log_ = 1;
  last_failure_log_ = now;
}

void writer::run() {
  std::vector<std::pair<write_batch, callback>> group;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      sleeping_ = true;
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (!urgent_queued_ && !stopping_ && queue_.size() < kGatherBatches) {
        gathering_ = true;
        wake_.wait_for(lock, kGather, [&] {
          return stopping_ || urgent_queued_ || queue_.size() >= kGatherBatches;
        });
        gathering_ = false;
      }
      sleeping_ = false;
      if (queue_.empty()) return;  // stopping, and everything is written
      urgent_queued_ = false;
      group.swap(queue_);
    }
    std::vector<const write_batch*> batches;
    batches.reserve(group.size());
    for (const auto& item : group) batches.push_back(&item.first);
    status st = store_.write(batches);
    std::vector<status> each(group.size(), st);
    if (!st) {
      log_failure(st);
      // One batch must not fail the others (a large intake batch on a full disk, while the
      // deletions of finished deliveries still fit): retry each alone, all or nothing each.
      if (group.size() > 1)
        for (size_t i = 0; i < group.size(); ++i) each[i] = store_.write({batches[i]});
    }
    {
      std::lock_guard lock(mutex_);
      ++commits_;
      batches_ += group.size();
    }
    for (size_t i = 0; i < group.size(); ++i) {
      if (group[i].second) group[i].second(each[i]);
      recycle(std::move(group[i].first));
    }
    group.clear();
  }
}

}  // namespace hookshot::storage
