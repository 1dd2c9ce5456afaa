#pragma once

// What every actor (and every delivery line, on the HTTP loops) may use besides messages: the
// writer, the HTTP clients, the clock and the delivery settings in force. Built once by the
// engine before any actor starts; its members are thread-safe or immutable, so actors and
// loops share one instance by pointer.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "actors/metrics.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "net/http_client.hpp"
#include "storage/lmdb_store.hpp"
#include "storage/writer.hpp"

namespace hookshot::actors {

class flush_list;  // actors/delivery_line.hpp

struct services {
  const config::config* cfg = nullptr;  // immutable after start-up
  const storage::lmdb_store* store = nullptr;
  storage::writer* writer = nullptr;
  std::vector<std::unique_ptr<net::http_client>> http;  // the HTTP pool
  const clock_source* clock = nullptr;
  std::atomic<std::uint64_t> next_record_seq{1};
  std::uint32_t keep_records = 10;    // webhook.deliveries.limit
  std::atomic<bool> draining{false};  // shutdown: start no new attempts
  std::atomic<std::int64_t> pending{0};  // pending deliveries of delivery lines and their boxes
  engine_metrics metrics;                // counters for GET /metrics

  /// Events held in memory by deliveries beyond each webhook's first kHeldEvents in line
  /// (delivery_line): a backlog keeps its events up to held_event_budget bytes in all, shared
  /// by every webhook (webhook.delivery.backlog.memory.mb), and the rest are loaded again when
  /// their attempts start. Reading an event back costs about as much as the rest of the
  /// actor's work for its attempt (perf, retries and throughput-os: a fifth of the actors' CPU).
  std::int64_t held_event_budget = std::int64_t{64} << 20;
  std::atomic<std::int64_t> held_event_bytes{0};

  /// An event a pending delivery needs and does not hold (recovered at start-up, beyond the
  /// backlog budget, or released during a long retry wait): from memory while any delivery
  /// still holds it, else from storage (counted in metrics.event_reads). Thread-safe.
  result<std::shared_ptr<const event>> load_event(std::uint64_t seq);
  /// Entries in load_event's table (held or not yet forgotten), for tests and metrics.
  size_t loaded_events();

  /// The HTTP client a webhook always uses, so its connections stay warm on one loop.
  net::http_client& http_for(std::uint64_t webhook_key) const {
    return *http[webhook_key % http.size()];
  }
  /// One per HTTP loop, in the same order: the delivery lines whose outcomes that loop handled
  /// since its last completions window (its on_completions writes them).
  std::vector<std::shared_ptr<flush_list>> flushes;
  /// The flush list of http_for(webhook_key)'s loop.
  flush_list* flush_for(std::uint64_t webhook_key) const {
    return flushes[webhook_key % flushes.size()].get();
  }

 private:
  // Held only to look up and to add, never while reading storage: two threads loading
  // events at once (a backlog beyond the budget) read in parallel.
  std::mutex events_mutex_;
  boost::unordered_flat_map<std::uint64_t, std::weak_ptr<const event>> events_;  // loaded, by seq
  size_t sweep_at_ = 1024;  // forget expired entries when the table reaches this size
};

}  // namespace hookshot::actors
