#pragma once

// Hands attempt outcomes from the HTTP loops to webhook actors with one cross-thread message
// per window of completions, not one per webhook or per completion.
//
//   HTTP loop: the outcome goes into its webhook's outcome_box; when the box goes from empty
//     to not empty, relay_inbox::post(box) adds the box to the inbox. The loop's
//     on_completions (at most once per net::engine_options::completions_window_ms) calls
//     relay_inbox::hand_over(), which sends relay_atom to the relay actor when the inbox holds
//     boxes and no relay_atom is on its way - the only message that crosses from the loop's
//     thread into CAF's. Against slow receivers completions arrive one at a time, and a
//     relay_atom per completion woke a sleeping CAF worker per delivery.
//   relay actor: takes every box from the inbox and sends outcomes_atom to each box's
//     webhook actor. A message from one actor to another is queued on the sending worker
//     itself, so waking the webhook actors costs no futex call and no sleeping worker is
//     woken per webhook (with 5,000 webhooks against slow receivers nearly every completion
//     is for a different webhook).
//
// A box names its webhook actor by weak address: a webhook deleted meanwhile is skipped.
// Messages: relay_atom (forward the inbox), stop_atom (forward what is left, then quit: the
// engine stops the relay after the HTTP loops and before the webhook actors).

#include <caf/all.hpp>
#include <memory>
#include <mutex>
#include <vector>

#include "actors/type_ids.hpp"

namespace hookshot::actors {

class relay_inbox {
 public:
  /// Queues `box` for the relay; the next hand_over() sends it. Thread-safe.
  void post(std::shared_ptr<outcome_box> box);
  /// Wakes the relay when boxes are queued and it has not been woken for them yet.
  /// Thread-safe.
  void hand_over();
  /// Everything posted so far (relay actor only).
  std::vector<std::shared_ptr<outcome_box>> take();
  /// The relay actor; set before the first post, cleared once it has quit (at shutdown, after
  /// the HTTP loops have stopped; a post then is dropped).
  void set_relay(caf::actor relay);

 private:
  std::mutex mutex_;
  std::vector<std::shared_ptr<outcome_box>> boxes_;
  caf::actor relay_;
  bool woken_ = false;  // a relay_atom is on its way and take() has not run since
};

caf::behavior outcome_relay(caf::event_based_actor* self, relay_inbox* inbox);

}  // namespace hookshot::actors
