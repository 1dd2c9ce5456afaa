#include "storage/writer.hpp"

#include <cstdio>

namespace hookshot::storage {

writer::writer(lmdb_store& store) : store_(store), thread_([this] { run(); }) {}

writer::~writer() {
  stop();
}

void writer::submit(write_batch batch, callback done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.emplace_back(std::move(batch), std::move(done));
      wake_.notify_one();
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

std::uint64_t writer::commits() const {
  std::lock_guard lock(mutex_);
  return commits_;
}

std::uint64_t writer::batches() const {
  std::lock_guard lock(mutex_);
  return batches_;
}

void writer::run() {
  std::deque<std::pair<write_batch, callback>> group;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is written
      group.swap(queue_);
    }
    std::vector<const write_batch*> batches;
    batches.reserve(group.size());
    for (const auto& item : group) batches.push_back(&item.first);
    status st = store_.write(batches);
    if (!st) std::fprintf(stderr, "hookshot: storage write failed: %s\n", st.message().c_str());
    {
      std::lock_guard lock(mutex_);
      ++commits_;
      batches_ += group.size();
    }
    for (auto& item : group)
      if (item.second) item.second(st);
    group.clear();
  }
}

}  // namespace hookshot::storage
