#pragma once

// Where a webhook's new deliveries wait for its delivery line (actors/delivery_line.hpp).
//
//   supervisor (after the ingest commit), or start-up recovery
//     put(items) ──▶ box ──▶ true: send the owner (the webhook actor) deliveries_atom
//   delivery line, after each outcome (on its HTTP loop) and each of its actor's turns in
//   which it has room to start an attempt
//     take(...)  ◀── box
//
// A webhook at its in-flight cap cannot start what it is given, and a message per
// ingest batch cost it a CAF turn per delivery in fan-out (an event to a thousand webhooks is
// a thousand messages, each one more turn for an actor that only queues the item). So the
// deliveries wait here, and a message goes only when the actor asked for one (it had room and
// found the box empty: `hungry`) or the box holds `wake_at` deliveries, so that a webhook
// that cannot send (disabled, or its receiver hanging until the timeout) takes its backlog
// into its own line, where the events' memory budget applies. Once put() has asked for a
// message, it asks for none until the owner has taken the box.
//
// The box counts what it is given in the engine's pending-deliveries gauge; the line counts
// them out as they end (delivery_line::drop). Thread-safe.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "actors/type_ids.hpp"

namespace hookshot::actors {

class delivery_box {
 public:
  /// `pending`: the gauge put() adds to (services::pending); it outlives the box.
  explicit delivery_box(std::atomic<std::int64_t>* pending) : pending_(pending) {}

  /// Adds `items` (left empty). True when the caller must send the owner deliveries_atom.
  bool put(std::vector<work_item>&& items);

  /// Owner: every waiting delivery, oldest first (the box is left empty). `room`: the owner
  /// can start attempts now, so an empty box asks for a message with the next put. `line_room`: how many more deliveries the owner's line holds with their
  /// events whatever the budget, counting those taken now; put() wakes the owner anyway once
  /// the box holds what is left of it (at least 1), so that line and box together stay
  /// within it.
  std::vector<work_item> take(bool room, std::size_t line_room);

 private:
  std::atomic<std::int64_t>* pending_;
  std::mutex mutex_;
  std::vector<work_item> items_;
  std::size_t wake_at_ = 1;
  bool hungry_ = true;   // a new actor has room: the first put wakes it
  bool woken_ = false;   // deliveries_atom is on its way; the owner has not taken since
};

}  // namespace hookshot::actors
