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
// A batch with a callback is written at once: the writer is woken for it. Batches without
// one (delivery outcomes, which nobody waits for) gather for up to kGather, or until
// kGatherBatches are queued, before the writer commits them, and a producer wakes the writer
// only when it is not already gathering: with thousands of webhooks each finishing its own
// deliveries, waking the writer per batch cost the actors a futex call each (perf, slow
// receivers: 14 % of their CPU) and the writer a commit per handful of deliveries.
// The window is the price of a commit against what a crash can repeat: the outcomes of the
// last kGather are not yet stored, so those deliveries go out again after a restart
// (at-least-once). Finished deliveries scatter their pending entries' deletions over the
// pages of every event in flight, so a commit of more of them rewrites fewer pages per
// delivery: 10 ms instead of 2 cut the synced writer's CPU in fan-out by 1.5-3 us per
// delivery and the bytes it wrote by a third (docs/benchmarks-history.md, twenty-first session).
//
// Thread safety: submit() and stop() are safe from any thread.

#include <chrono>
#include <condition_variable>
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

  /// An empty batch to fill: one the writer has finished with, its buffers keeping their
  /// capacity, or a new one when none is left. Batches of the usual size then cost no
  /// allocation: every buffer a producer allocated and the writer freed (on its own thread)
  /// went back through the bins of the producer's arena - the encoded values (over 1 KiB, too
  /// large for malloc's per-thread caches; perf: a tenth of the actors' CPU in fan-out), the
  /// lists of pending deliveries and records. Batches holding more than kMaxRecycledBytes are
  /// freed, and the kept ones hold at most kRecycledBytes in all (a group commit can hold a
  /// thousand small batches). Any thread.
  write_batch take_batch();
  static constexpr size_t kMaxRecycledBytes = size_t{64} << 10;
  static constexpr size_t kRecycledBytes = size_t{4} << 20;

  static constexpr std::chrono::milliseconds kGather{10};
  static constexpr size_t kGatherBatches = 1024;

  /// Writes what is queued, then ends the thread. Idempotent.
  void stop();

  /// Group commits so far, and the batches they held (for metrics and tests).
  std::uint64_t commits() const;
  std::uint64_t batches() const;

 private:
  void run();
  void log_failure(const status& st);  // writer thread only
  void recycle(write_batch&& batch);  // a written batch, for take_batch()

  lmdb_store& store_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  // A vector, swapped with the writer's own: both keep their capacity, so queueing a batch
  // allocates nothing (a deque allocated a node per batch, a batch being that large).
  std::vector<std::pair<write_batch, callback>> queue_;
  bool stopping_ = false;
  bool sleeping_ = false;       // the writer waits on wake_
  bool gathering_ = false;      // ... until kGather has passed (it will wake by itself)
  bool urgent_queued_ = false;  // a queued batch has a callback
  std::uint64_t commits_ = 0;
  std::uint64_t batches_ = 0;
  std::uint64_t failures_since_log_ = 0;  // writer thread only
  std::chrono::steady_clock::time_point last_failure_log_;
  std::mutex spare_mutex_;
  std::vector<write_batch> spare_;  // written and cleared, capacity kept
  size_t spare_bytes_ = 0;          // their capacity_bytes()
  std::thread thread_;
};

}  // namespace hookshot::storage
