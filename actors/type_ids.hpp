#pragma once

// Every message type and atom of hookshot's actors, in one place.
//
// Messages never leave the process, and several carry shared pointers to immutable events or
// callbacks into other threads, so they are declared CAF_ALLOW_UNSAFE_MESSAGE_TYPE instead of
// being made serialisable. A move to CAF 0.18+ changes only this file.

#include <caf/all.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/delivery.hpp"
#include "core/event.hpp"
#include "core/filter.hpp"
#include "core/settings.hpp"
#include "core/status.hpp"
#include "core/webhook.hpp"

namespace hookshot::actors {

/// A pending delivery together with the event it delivers.
struct work_item {
  pending_delivery pending;
  std::shared_ptr<const event> ev;  // null until needed (recovered, or released between retries)
  std::string signature;  // X-CS-Signature, computed at the first attempt with the current key
  std::int64_t charged = 0;  // bytes of `ev` counted in services::held_event_bytes (0: none)
};

/// http client -> webhook: one attempt finished.
struct outcome_msg {
  std::uint64_t pending_seq = 0;
  attempt_outcome outcome;
};

/// HTTP loops -> webhook actor: outcomes wait in the actor's box; when the box goes from
/// empty to not empty the loop posts it to the relay (actors/outcome_relay.hpp), which sends
/// the owner outcomes_atom. A burst of completions is one message and one actor turn.
struct outcome_box {
  explicit outcome_box(caf::actor_addr owner_actor) : owner(std::move(owner_actor)) {}
  const caf::actor_addr owner;  // the webhook actor (weak: it may be gone)
  std::mutex mutex;
  std::vector<outcome_msg> items;
};

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
CAF_ADD_ATOM(hookshot, hookshot::actors, flush_atom, "flush")
CAF_ADD_ATOM(hookshot, hookshot::actors, outcomes_atom, "outcomes")
CAF_ADD_ATOM(hookshot, hookshot::actors, relay_atom, "relay")
CAF_ADD_ATOM(hookshot, hookshot::actors, deliveries_atom, "deliveries")
