#pragma once

// One actor per webhook. It owns the webhook's config, its pending deliveries and their retry
// state, and caps how many of its attempts are on the wire at once.
//
//   delivery_box ──▶ waiting (due later) / ready ──▶ attempt (signed request)
//                                                                    │ http client
//   outcomes_atom ◀─── outcome relay ◀────────────────────────────────┘ (outcome_box)
//     success, or no tries left ─▶ pending removed + a delivery record
//     otherwise                  ─▶ pending rescheduled (attempts, due) and waiting
//
// New deliveries wait in the webhook's delivery_box until the actor has room to start them:
// at the end of every turn with room (nothing ready and fewer than max_in_flight on the wire)
// it takes them all. An actor at its cap takes them with the outcome that frees a slot, so it
// gets no message per ingest batch; one with room asks the box for deliveries_atom, which
// also comes once the box holds what the line has left of kHeldEvents (a disabled webhook or
// a hanging receiver takes its backlog into its line, where the events' budget applies).
//
// Waiting deliveries share one timer, armed for the earliest of them rounded up to the next
// multiple of kTimerTickMs: (retry_atom, token) moves everything due by the time it was armed
// for to the ready line. A timer that an earlier one replaced carries an old token and is
// ignored.
//
// Those changes are written once per turn, not once per outcome: the first change of a turn
// sends flush_atom to the actor itself, which arrives after every message already queued, and
// flushing writes them all in one batch. The log keeps the newest `keep_records`, so of the
// deliveries a flush finishes only that many become records at all.
//
// A disabled webhook keeps its pending deliveries and sends nothing until enabled again.
// While services::draining is set (shutdown) no new attempt starts; outcomes of attempts on
// the wire are still recorded. stop_atom: quit.
//
// delete_webhook_msg: one write removes the webhook, every pending delivery of it and its log;
// then the actor replies and quits (outcomes of attempts still on the wire are ignored).
//
// Messages: deliveries_atom (take the delivery box), outcomes_atom (the outcome box holds
// the outcomes), reconfigure_msg, delete_webhook_msg (takes the delivery box first),
// (retry_atom, timer token), flush_atom, stop_atom (flushes, then quits).

#include <caf/all.hpp>

#include <boost/unordered/unordered_flat_map.hpp>

#include <memory>
#include <vector>

#include "actors/delivery_box.hpp"
#include "actors/services.hpp"
#include "actors/type_ids.hpp"
#include "core/due_queue.hpp"
#include "core/fifo.hpp"
#include "core/signature.hpp"

namespace hookshot::actors {

/// A delivery that ended this turn, waiting for flush() to become a record.
struct finished_delivery {
  std::shared_ptr<const event> ev;  // null only when the event could not be loaded
  pending_delivery pending;
  std::string signature;
  attempt_outcome last;
};

class webhook_actor : public caf::event_based_actor {
 public:
  /// Deliveries waiting in line (and in the delivery box) that keep their event in memory
  /// whatever the others hold;
  /// beyond them an event is kept while services::held_event_bytes has room, else loaded
  /// again when its attempt starts (services::load_event). Bounds memory by webhooks and one
  /// engine-wide budget, not by the backlog.
  static constexpr size_t kHeldEvents = 256;
  /// A delivery waiting for a retry keeps its event when the wait is at most this long and
  /// fewer than kHeldEvents of the webhook's deliveries wait; otherwise (a receiver down for a
  /// day must not hold a day of events) the next attempt loads it again.
  static constexpr millis kHoldAcrossRetryMs = 2000;
  /// Retry timers fire at multiples of this many milliseconds (of the injected clock), the
  /// same grid for every webhook, at most one tick late.
  static constexpr millis kTimerTickMs = 10;

  /// `box`: where the webhook's new deliveries wait (its pending count is services::pending).
  webhook_actor(caf::actor_config& cfg, services* svc, webhook hook, delivery_settings settings,
                std::shared_ptr<delivery_box> box);

  caf::behavior make_behavior() override;
  const char* name() const override { return "webhook"; }
  void on_exit() override;  // gives back the events' budget

 private:
  using item_map = boost::unordered_flat_map<std::uint64_t, work_item>;

  void configure(webhook hook, delivery_settings settings);
  // Takes the delivery box when the actor has room to start attempts, or `always`, and starts
  // what it can; again while room is left and the box had more.
  void take_deliveries(bool always);
  void accept(work_item&& item);
  // Keeps `item`'s event if the budget has room for it (counting it), else drops it.
  void keep_within_budget(work_item& item);
  // Drops `item`'s event and gives back what it counted in the budget.
  void release_event(work_item& item);
  // Lets go of a delivery that has ended or gone: its event and its count of pending deliveries.
  void drop(work_item& item);
  // Calls fn(work_item&) for every pending delivery the actor holds.
  template <class F>
  void for_each_item(F&& fn);
  void wait(work_item&& item);  // until item.due_ms
  void arm_timer();  // for the earliest waiting delivery, unless an armed timer is as early
  void on_timer(std::uint64_t token);
  void pump();
  bool hold_event(work_item& item);  // false: the event is gone and the delivery ended
  void start_attempt(work_item&& item);
  void on_outcome(outcome_msg& msg);
  // Ends the delivery with `last`, the outcome of the attempt signed with `signature`.
  void finish(work_item& item, attempt_outcome&& last, std::string&& signature);
  // Ends a delivery no attempt was made for, with a failed record that says `why`.
  void end_unattempted(work_item& item, std::string why);
  void schedule_flush();
  void flush();
  // Encodes `f` as a delivery record into `batch`.
  void add_record(storage::write_batch& batch, const finished_delivery& f) const;
  bool may_send() const;
  bool may_start() const;  // may send, and below the in-flight cap

  services* svc_;
  std::shared_ptr<delivery_box> box_;
  webhook hook_;
  delivery_settings settings_;
  std::unique_ptr<hmac_sha256> signer_;  // made at the first signature (idle webhooks have none)
  seeded_random rng_;
  // X-CS-Signature of `ev` with the webhook's current key (empty without a key), for one
  // attempt: a retry signs again (~1 us), which keeps a backlog's items small.
  std::string sign(const event& ev);

  // Every pending delivery is in exactly one of these, by where it stands. A backlog is in
  // the line and the waiting queue, which hold their items in vectors (no slack of a hash
  // table, no lookup); only attempts on the wire are found by seq, when their outcome comes,
  // in a map that stays as small as the in-flight cap. Inserting into on_wire_ may move its
  // items: hold no reference to one across start_attempt().
  fifo<work_item> ready_;        // due now, waiting for a slot, in the order they came
  due_queue<work_item> waiting_;  // due later
  item_map on_wire_;             // attempts in flight, by seq
  bool timer_armed_ = false;
  millis timer_due_ = 0;            // what the armed timer is for
  std::uint64_t timer_token_ = 0;   // the armed timer's token

  std::shared_ptr<outcome_box> outcomes_;  // shared with the HTTP loops; made at the first attempt
  std::vector<outcome_msg> outcome_batch_;  // the outcomes being handled, swapped with the box's
  static constexpr size_t kKeptOutcomes = 64;  // outcome_batch_ capacity kept between bursts

  // Changes of this turn, written by flush().
  std::vector<finished_delivery> finished_;
  std::vector<pending_delivery> rescheduled_;
  bool flush_scheduled_ = false;
};

}  // namespace hookshot::actors
