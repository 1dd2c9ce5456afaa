#pragma once

// Every message type and atom of hookshot's actors, in one place.
//
// Messages never leave the process, and several carry shared pointers to immutable events or
// callbacks into other threads, so they are declared CAF_ALLOW_UNSAFE_MESSAGE_TYPE instead of
// being made serialisable. A move to CAF 0.18+ changes only this file.

#include <caf/all.hpp>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/delivery.hpp"
#include "core/event.hpp"
#include "core/filter.hpp"
#include "core/settings.hpp"
#include "core/status.hpp"
#include "core/webhook.hpp"

namespace hookshot::actors {

/// A pending delivery as its webhook actor keeps it, with the event it delivers. A backlog
/// keeps one per delivery in memory, so it holds only what varies per delivery: the webhook
/// is the actor's, and the signature is made for each attempt and travels with it.
struct work_item {
  work_item() = default;
  work_item(const pending_delivery& p, std::shared_ptr<const event> e)
      : seq(p.seq), event_seq(p.event_seq), due_ms(p.due_ms), attempts(p.attempts), ev(std::move(e)) {}

  /// The stored form, for the webhook `webhook_key`.
  pending_delivery pending(std::uint64_t webhook_key) const {
    return pending_delivery{seq, webhook_key, event_seq, attempts, due_ms};
  }

  std::uint64_t seq = 0;        // the pending delivery's storage key
  std::uint64_t event_seq = 0;  // which event
  millis due_ms = 0;            // not before this time
  std::uint32_t attempts = 0;   // attempts already made
  std::uint32_t charged = 0;    // bytes of `ev` counted in services::held_event_bytes (0: none)
  std::shared_ptr<const event> ev;  // null until needed (recovered, or released between retries)
};
static_assert(sizeof(work_item) <= 48, "a backlog keeps one work_item per pending delivery");

/// supervisor -> webhook: the webhook's config or settings changed.
struct reconfigure_msg {
  webhook hook;
  delivery_settings settings;
};

/// api -> supervisor: create (key 0: the supervisor assigns one) or replace a webhook; it takes
/// effect in routing and in the webhook's actor once stored. `reply` gets the stored webhook.
struct upsert_webhook_msg {
  webhook hook;
  std::function<void(const status&, const webhook&)> reply;
};

/// api -> supervisor -> webhook actor: delete a webhook, its pending deliveries and its log.
struct delete_webhook_msg {
  std::uint64_t key = 0;
  std::function<void(const status&)> reply;
};

/// api -> supervisor: add and remove filters of one webhook; routing follows once stored.
/// Added filters get their internal key from the supervisor; `reply` gets them.
struct filters_msg {
  std::uint64_t webhook_key = 0;
  std::vector<webhook_filter> add;
  std::vector<std::uint64_t> remove;  // filter keys
  std::function<void(const status&, const std::vector<webhook_filter>&)> reply;
};

/// intake -> supervisor: events to route, persist and deliver. `reply` runs once, on the
/// storage thread, after the events are durable (or with the reason they are not).
struct ingest_msg {
  std::vector<event> events;
  std::function<void(const status&)> reply;
};

/// writer -> supervisor: an ingest batch's deliveries are stored, by webhook key; the
/// supervisor puts each share in its webhook's box (a webhook deleted meanwhile gets none).
struct stored_deliveries_msg {
  std::unordered_map<std::uint64_t, std::vector<work_item>> per_webhook;
};

}  // namespace hookshot::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hookshot::actors::reconfigure_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hookshot::actors::ingest_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hookshot::actors::stored_deliveries_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hookshot::actors::upsert_webhook_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hookshot::actors::delete_webhook_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hookshot::actors::filters_msg)

CAF_ADD_ATOM(hookshot, hookshot::actors, retry_atom, "retry")
CAF_ADD_ATOM(hookshot, hookshot::actors, stop_atom, "stop")
CAF_ADD_ATOM(hookshot, hookshot::actors, cleanup_atom, "cleanup")
CAF_ADD_ATOM(hookshot, hookshot::actors, stored_atom, "stored")
CAF_ADD_ATOM(hookshot, hookshot::actors, deliveries_atom, "deliveries")
