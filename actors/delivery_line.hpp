#pragma once

// A webhook's pending deliveries and their attempts: what its actor owned until outcomes were
// handled on the HTTP loops. Shared by the webhook actor and the HTTP loop its requests go to.
//
//   delivery_box ──▶ waiting (due later) / ready ──▶ attempt (signed request) ──▶ HTTP loop
//                                                                                  │ done
//   on_outcome, on the loop's thread ◀─────────────────────────────────────────────┘
//     success, or no tries left ─▶ pending removed + a delivery record
//     otherwise                  ─▶ pending rescheduled (attempts, due) and waiting
//
// An attempt's outcome is handled where the attempt completes, on its HTTP loop's thread: the
// line records it, takes its delivery box and starts its next attempts in the same turn of the
// loop, the way a bare curl-multi sender starts its next request from the completion. Handing
// every outcome over to the actor's thread cost a cross-thread wake-up and a CAF turn per
// delivery, and left each loop with fewer requests ready per wake (docs/benchmarks-history.md,
// twenty-ninth session). The webhook actor keeps what needs an actor: its retry timer, its
// config, the message that new deliveries wait in its box, deletion and stop.
//
// New deliveries wait in the webhook's delivery_box until the line has room to start them:
// after every outcome, and at the end of every actor turn with room (nothing ready and fewer
// than max_in_flight on the wire), it takes them all. A line at its cap takes them with the
// outcome that frees a slot, so it gets no message per ingest batch; one with room asks the
// box for deliveries_atom, which also comes once the box holds what the line has left of
// kHeldEvents (a disabled webhook or a hanging receiver takes its backlog into its line, where
// the events' budget applies).
//
// Waiting deliveries share one timer of the owner actor, armed for the earliest of them
// rounded up to the next multiple of kTimerTickMs: (retry_atom, token) moves everything due by
// the time it was armed for to the ready line. A timer that an earlier one replaced carries an
// old token and is ignored. The loop's thread arms it too (a delayed message needs no actor to
// send it).
//
// Changes (finished and rescheduled deliveries) are written in batches: those made on the
// loop's thread join the loop's flush_list, written once per completions window; those made
// on the actor's thread are written at the end of that call. The log keeps the newest
// `keep_records`, so of the deliveries a flush finishes only that many become records at all.
//
// A disabled webhook keeps its pending deliveries and sends nothing until enabled again.
// While services::draining is set (shutdown) no new attempt starts; outcomes of attempts on
// the wire are still recorded. Once closed (deleted or stopped) a line starts nothing and
// ignores outcomes.
//
// Thread safety: every public member takes the line's mutex, so the actor's thread and the
// loop's may call them at once. Lock order: a line's mutex, then the HTTP client's queue or the
// writer's; neither calls back into a line while holding its own.

#include <caf/all.hpp>

#include <boost/unordered/unordered_flat_map.hpp>

#include <memory>
#include <mutex>
#include <vector>

#include "actors/delivery_box.hpp"
#include "actors/services.hpp"
#include "actors/type_ids.hpp"
#include "core/due_queue.hpp"
#include "core/fifo.hpp"
#include "core/signature.hpp"

namespace hookshot::actors {

class flush_list;

/// A delivery that ended, waiting for a flush to become a record.
struct finished_delivery {
  std::shared_ptr<const event> ev;  // null only when the event could not be loaded
  pending_delivery pending;
  std::string signature;
  attempt_outcome last;
};

class delivery_line : public std::enable_shared_from_this<delivery_line> {
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
  /// `owner`: the webhook actor, whose timer the line arms.
  delivery_line(services* svc, webhook hook, delivery_settings settings,
                std::shared_ptr<delivery_box> box, caf::actor_addr owner);

  // Actor's thread. Each writes the changes it made before it returns.

  /// deliveries_atom: takes the box (`always`: even without room to start them).
  void take_deliveries(bool always);
  /// reconfigure_msg: the new config applies to the next attempts.
  void configure(webhook hook, delivery_settings settings);
  /// (retry_atom, token): moves what is due to the ready line and starts what it can.
  void on_timer(std::uint64_t token);
  /// Closes the line for deletion: takes the box, writes the line's changes, and returns the
  /// batch that removes the webhook, its pending deliveries and its log (for the caller to
  /// submit with its reply).
  storage::write_batch remove();
  /// Closes the line at shutdown: writes what is left.
  void stop();
  /// Gives back the events' budget (the owner's on_exit).
  void release_events();

  // HTTP loop's thread.

  /// An attempt of delivery `seq` ended with `outcome`; `signature` is the one it was sent
  /// with. Joins `flushes` when it leaves changes to write.
  void on_outcome(std::uint64_t seq, attempt_outcome&& outcome, std::string&& signature,
                  flush_list& flushes);
  /// Appends the line's changes to `batch` (flush_list::write).
  void flush_into(storage::write_batch& batch);

 private:
  using item_map = boost::unordered_flat_map<std::uint64_t, work_item>;

  // Every private member runs with mutex_ held.
  void take_box(bool always);
  void accept(work_item&& item);
  // Keeps `item`'s event if the budget has room for it (counting it), else drops it.
  void keep_within_budget(work_item& item);
  // Drops `item`'s event and gives back what it counted in the budget.
  void release_event(work_item& item);
  // Lets go of a delivery that has ended or gone: its event and its count of pending deliveries.
  void drop(work_item& item);
  // Calls fn(work_item&) for every pending delivery the line holds.
  template <class F>
  void for_each_item(F&& fn);
  void wait(work_item&& item);  // until item.due_ms
  void arm_timer();  // for the earliest waiting delivery, unless an armed timer is as early
  void pump();
  bool hold_event(work_item& item);  // false: the event is gone and the delivery ended
  void start_attempt(work_item&& item);
  // Ends the delivery with `last`, the outcome of the attempt signed with `signature`.
  void finish(work_item& item, attempt_outcome&& last, std::string&& signature);
  // Ends a delivery no attempt was made for, with a failed record that says `why`.
  void end_unattempted(work_item& item, std::string why);
  bool has_changes() const { return !finished_.empty() || !rescheduled_.empty(); }
  // The actor's thread: writes the changes made so far in a batch of their own.
  void write_changes();
  void append_changes(storage::write_batch& batch);
  // Encodes `f` as a delivery record into `batch`.
  void add_record(storage::write_batch& batch, const finished_delivery& f) const;
  bool may_send() const;
  bool may_start() const;  // may send, and below the in-flight cap
  // X-CS-Signature of `ev` with the webhook's current key (empty without a key), for one
  // attempt: a retry signs again (~1 us), which keeps a backlog's items small.
  std::string sign(const event& ev);

  std::mutex mutex_;
  services* svc_;
  std::shared_ptr<delivery_box> box_;
  caf::actor_addr owner_;
  webhook hook_;
  delivery_settings settings_;
  std::unique_ptr<hmac_sha256> signer_;  // made at the first signature (idle webhooks have none)
  seeded_random rng_;
  bool closed_ = false;   // deleted or stopped: nothing starts, outcomes are ignored
  bool listed_ = false;   // in a flush_list that has not written it yet

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

  // Changes not yet written.
  std::vector<finished_delivery> finished_;
  std::vector<pending_delivery> rescheduled_;
};

/// The lines an HTTP loop's outcomes changed since its last completions window, written as
/// one batch per window (net::engine_options::on_completions) instead of one per line: with a
/// thousand webhooks each finishing a delivery, a batch per webhook cost the writer a batch
/// per delivery. The loop's thread only.
class flush_list {
 public:
  explicit flush_list(storage::writer* writer) : writer_(writer) {}
  /// Called by a line, with its mutex held, the first time it changes after a write.
  void add(std::shared_ptr<delivery_line> line) { lines_.push_back(std::move(line)); }
  /// Writes every listed line's changes in one batch and empties the list.
  void write();

 private:
  storage::writer* writer_;
  std::vector<std::shared_ptr<delivery_line>> lines_;  // cleared, capacity kept, by write()
};

}  // namespace hookshot::actors
