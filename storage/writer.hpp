#pragma once

// The single writer: the only thread that writes to LMDB. It takes write batches from any
// thread, applies everything queued in one transaction (group commit), commits once - one
// sync per group, not per delivery - and then runs each batch's callback with the outcome.
//
// When a group fails (a full disk), each of its batches is retried alone, so one batch that
// does not fit fails by itself while the others are written; each batch is all or nothing.
//
// A producer that must not answer before its data is durable (event intake answering 202)
// waits for its callback. Callbacks run on the writer thread: keep them short, and never
// submit-and-wait from inside one.
//
// Thread safety: submit() and stop() are safe from any thread.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/lmdb_store.hpp"

namespace hookshot::storage {

class writer {
 public:
  using callback = std::function<void(const status&)>;

  /// Starts the writer thread. `store` must outlive the writer.
  explicit writer(lmdb_store& store);
  /// Stops after writing everything already submitted.
  ~writer();

  /// Queues a batch. `done` (may be empty) runs after the commit that contains it. After
  /// stop(), batches are refused with an unavailable status passed to `done` at once.
  void submit(write_batch batch, callback done = {});

  /// An empty buffer for a batch's encoded values (write_batch::bytes): one the writer has
  /// finished with, keeping its capacity, or a new one when none is left. Values encoded in
  /// batches of the usual size then cost no allocation: a buffer over 1 KiB is too large for
  /// malloc's per-thread caches, and every one the writer freed (on its own thread) went back
  /// through the bins of the producer's arena (perf: a tenth of the actors' CPU in fan-out).
  /// Buffers larger than kMaxRecycledBytes are freed, and the kept ones hold at most
  /// kRecycledBytes in all (a group commit can hold a thousand small batches). Any thread.
  std::string take_buffer();
  static constexpr size_t kMaxRecycledBytes = size_t{64} << 10;
  static constexpr size_t kRecycledBytes = size_t{4} << 20;

  /// Writes what is queued, then ends the thread. Idempotent.
  void stop();

  /// Group commits so far, and the batches they held (for metrics and tests).
  std::uint64_t commits() const;
  std::uint64_t batches() const;

 private:
  void run();
  void log_failure(const status& st);  // writer thread only
  void recycle(std::string&& bytes);    // a written batch's buffer, for take_buffer()

  lmdb_store& store_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<write_batch, callback>> queue_;
  bool stopping_ = false;
  std::uint64_t commits_ = 0;
  std::uint64_t batches_ = 0;
  std::uint64_t failures_since_log_ = 0;  // writer thread only
  std::chrono::steady_clock::time_point last_failure_log_;
  std::mutex buffers_mutex_;
  std::vector<std::string> buffers_;  // empty, capacity kept
  size_t buffered_bytes_ = 0;         // their capacities
  std::thread thread_;
};

}  // namespace hookshot::storage
