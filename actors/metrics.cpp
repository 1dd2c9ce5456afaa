#include "actors/metrics.hpp"

#include <algorithm>
#include <vector>

namespace hookshot::actors {
namespace {

struct family {
  const char* name;
  const char* type;  // counter or gauge
  const char* help;
  std::vector<std::pair<const char*, std::uint64_t>> samples;  // labels ("" for none), value
};

}  // namespace

std::string render_prometheus(const engine_metrics& m, const metrics_gauges& g) {
  auto load = [](const auto& a) { return static_cast<std::uint64_t>(a.load(std::memory_order_relaxed)); };
  std::uint64_t attempts = load(m.attempts), failed = std::min(attempts, load(m.attempts_failed));
  const family families[] = {
      {"hookshot_events_accepted_total", "counter", "Events answered 202 by POST /v1/events.",
       {{"", load(m.events_accepted)}}},
      {"hookshot_events_stored_total", "counter",
       "Accepted events that matched at least one webhook and were stored.",
       {{"", load(m.events_stored)}}},
      {"hookshot_deliveries_created_total", "counter",
       "Deliveries created: one per matching (event, webhook) pair.",
       {{"", load(m.deliveries_created)}}},
      {"hookshot_deliveries_total", "counter",
       "Deliveries finished, by result (failure: out of tries).",
       {{"{result=\"success\"}", load(m.deliveries_succeeded)},
        {"{result=\"failure\"}", load(m.deliveries_failed)}}},
      {"hookshot_attempts_total", "counter",
       "HTTP attempts of event deliveries, by result (failure: transport error or non-2xx); "
       "executeWebhookDelivery and webhook tests are not counted.",
       {{"{result=\"success\"}", attempts - failed}, {"{result=\"failure\"}", failed}}},
      {"hookshot_event_reads_total", "counter",
       "Events read back from storage for an attempt: deliveries recovered at start-up, a "
       "webhook's backlog beyond the events it holds in memory, retries after a long wait.",
       {{"", load(m.event_reads)}}},
      {"hookshot_pending_deliveries", "gauge",
       "Deliveries held now: waiting, on the wire, or due for a retry.",
       {{"", static_cast<std::uint64_t>(std::max<std::int64_t>(0, g.pending))}}},
      {"hookshot_attempts_in_flight", "gauge", "HTTP attempts on the wire now.", {{"", g.in_flight}}},
      {"hookshot_backlog_event_bytes", "gauge",
       "Bytes of events held in memory for deliveries beyond each webhook's first 256 in line "
       "(at most webhook.delivery.backlog.memory.mb).",
       {{"", static_cast<std::uint64_t>(std::max<std::int64_t>(0, g.held_event_bytes))}}},
      {"hookshot_http_receivers", "gauge",
       "Receivers (origins) the HTTP loops know now, counted per loop, by their share of the "
       "loop (webhook.delivery.pool.adaptive): held back below webhook.delivery.pool.max.inflight "
       "(they answer slower with more in flight, or are being measured) or free to use all of it.",
       {{"{share=\"held_back\"}", g.receivers_held_back},
        {"{share=\"whole_cap\"}", g.receivers_whole_cap}}},
      {"hookshot_webhooks", "gauge", "Webhooks the engine delivers for (enabled or not).",
       {{"", static_cast<std::uint64_t>(std::max<std::int64_t>(0, m.webhooks.load()))}}},
      {"hookshot_storage_commits_total", "counter",
       "Storage group commits (one sync each with durability fsync).", {{"", g.commits}}},
      {"hookshot_storage_batches_total", "counter",
       "Write batches stored; batches / commits is the mean group size.", {{"", g.batches}}},
  };
  std::string out;
  out.reserve(2048);
  for (const auto& f : families) {
    out += std::string("# HELP ") + f.name + ' ' + f.help + "\n# TYPE " + f.name + ' ' + f.type + '\n';
    for (const auto& [labels, value] : f.samples)
      out += std::string(f.name) + labels + ' ' + std::to_string(value) + '\n';
  }
  return out;
}

}  // namespace hookshot::actors
