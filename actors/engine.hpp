#pragma once

// The delivery engine, assembled: storage, the writer, the HTTP pool and the actors.
//
// start():  open LMDB -> create or update the webhooks the config declares -> load every
//           pending delivery (metadata only: events load when an attempt needs them) ->
//           start the writer, the HTTP pool, the actor system, the supervisor (which
//           spawns one actor per webhook and hands each its recovered deliveries) and the
//           cleanup task.
// ingest(): hands events to the supervisor; `reply` runs after they are durable.
// shutdown(): no new attempts; attempts on the wire get until the grace period ends (their
//           outcomes are recorded, the rest stay pending on disk); actors stop; the writer
//           writes what it holds. Everything pending is delivered after the next start.
//
// Thread safety: ingest() is safe from any thread; start/shutdown from the owning thread.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/manual_delivery.hpp"
#include "actors/metrics.hpp"
#include "config/config.hpp"
#include "core/event.hpp"
#include "core/status.hpp"
#include "storage/lmdb_store.hpp"

namespace hookshot::actors {

struct startup_report {
  size_t webhooks = 0;
  size_t declared_changed = 0;  // declared webhooks created or updated
  size_t pending = 0;           // deliveries recovered from disk
  size_t http_threads = 0;
};

class engine {
 public:
  /// Errors: storage cannot be opened (io_error, corruption), a write fails at start-up.
  static result<std::unique_ptr<engine>> start(const config::config& cfg);
  ~engine();

  void ingest(std::vector<event> events, std::function<void(const status&)> reply);

  /// Pending deliveries held in memory now (new ones count once their actor has them).
  std::int64_t pending() const;
  /// The engine's counters (actors/metrics.hpp); the intake adds the events it accepts.
  engine_metrics& metrics();
  /// Counters and gauges in Prometheus' text format, for GET /metrics. Any thread.
  std::string metrics_text() const;

  /// Creates (key 0) or replaces a webhook; routing and its actor follow once it is stored.
  /// `reply` (on another thread) gets the stored webhook, with its key.
  void upsert_webhook(webhook w, std::function<void(const status&, const webhook&)> reply);
  /// Deletes a webhook with its pending deliveries and its log; `reply` once stored.
  void delete_webhook(std::uint64_t key, std::function<void(const status&)> reply);

  /// Adds and removes filters of a webhook; routing follows once stored. `reply` gets the
  /// added filters with their keys.
  void change_filters(std::uint64_t webhook_key, std::vector<webhook_filter> add,
                      std::vector<std::uint64_t> remove,
                      std::function<void(const status&, const std::vector<webhook_filter>&)> reply);

  /// A delivery made on request (actors/manual_delivery.hpp); `done` gets its record.
  void execute_delivery(manual_delivery d,
                        std::function<void(const status&, const delivery_record&)> done);

  /// Removes delivery records (webhook key, record seq); `reply` once stored.
  void delete_records(std::vector<std::pair<std::uint64_t, std::uint64_t>> keys,
                      std::function<void(const status&)> reply);
  void shutdown(long grace_ms);

  const startup_report& report() const;
  /// "N group commits of M write batches" since start.
  std::string storage_summary() const;
  const config::config& cfg() const;
  /// Read access to storage (any thread; each call opens its own read transaction).
  const storage::lmdb_store& store() const;

  struct impl;  // defined in engine.cpp

 private:
  engine();
  std::unique_ptr<impl> impl_;
};

}  // namespace hookshot::actors
