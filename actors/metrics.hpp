#pragma once

// The engine's counters, and their Prometheus text exposition for `GET /metrics`.
//
// Counters only grow from start-up (Prometheus computes rates from them); gauges say how
// things stand now. Every field is an atomic bumped with relaxed ordering where the event
// happens; a scrape reads each one once, so figures of one scrape may be a few deliveries
// apart from each other, never torn.

#include <atomic>
#include <cstdint>
#include <string>

namespace hookshot::actors {

struct engine_metrics {
  std::atomic<std::uint64_t> events_accepted{0};    // answered 202 by the intake
  std::atomic<std::uint64_t> events_stored{0};      // matched at least one webhook: stored
  std::atomic<std::uint64_t> deliveries_created{0}; // (event, webhook) pairs routed
  std::atomic<std::uint64_t> attempts{0};           // attempts of event deliveries finished
  std::atomic<std::uint64_t> attempts_failed{0};    // of those: transport error or non-2xx
  std::atomic<std::uint64_t> deliveries_succeeded{0};
  std::atomic<std::uint64_t> deliveries_failed{0};  // out of tries (or never attempted)
  std::atomic<std::uint64_t> event_reads{0};        // events read back from storage for an attempt
  std::atomic<std::int64_t> webhooks{0};            // webhooks with an actor now
};

/// What a scrape shows besides the counters (gauges read from their owners).
struct metrics_gauges {
  std::int64_t pending = 0;      // deliveries held by webhook actors
  std::uint64_t in_flight = 0;   // attempts on the wire
  std::uint64_t commits = 0;     // storage group commits since start
  std::uint64_t batches = 0;     // write batches those commits held
  std::int64_t held_event_bytes = 0;  // events a backlog holds in memory (services)
  std::uint64_t receivers_held_back = 0;  // receivers whose share of a loop is below its cap
  std::uint64_t receivers_whole_cap = 0;  // receivers that may use a loop's whole cap
};

/// The Prometheus text format (version 0.0.4), every family with HELP and TYPE.
std::string render_prometheus(const engine_metrics& m, const metrics_gauges& g);

}  // namespace hookshot::actors
