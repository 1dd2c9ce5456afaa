#pragma once

// What every actor may use besides messages: the writer, the HTTP clients, the clock and the
// delivery settings in force. Built once by the engine before any actor starts; its members
// are thread-safe or immutable, so actors share one instance by pointer.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "net/http_client.hpp"
#include "storage/writer.hpp"

namespace hookshot::actors {

struct services {
  const config::config* cfg = nullptr;  // immutable after start-up
  storage::writer* writer = nullptr;
  std::vector<std::unique_ptr<net::http_client>> http;  // the HTTP pool
  const clock_source* clock = nullptr;
  std::atomic<std::uint64_t> next_record_seq{1};
  std::uint32_t keep_records = 10;    // webhook.deliveries.limit
  std::atomic<bool> draining{false};  // shutdown: start no new attempts
  std::atomic<std::int64_t> pending{0};  // pending deliveries held by webhook actors

  /// The HTTP client a webhook always uses, so its connections stay warm on one loop.
  net::http_client& http_for(std::uint64_t webhook_key) const {
    return *http[webhook_key % http.size()];
  }
};

}  // namespace hookshot::actors
