#include "actors/delivery_line.hpp"

#include <chrono>
#include <limits>

#include "core/request.hpp"
#include "core/uuid.hpp"

namespace hookshot::actors {

delivery_line::delivery_line(services* svc, webhook hook, delivery_settings settings,
                             std::shared_ptr<delivery_box> box, caf::actor_addr owner)
    : svc_(svc),
      box_(std::move(box)),
      owner_(std::move(owner)),
      hook_(std::move(hook)),
      settings_(std::move(settings)),
      rng_(hook_.key * 0x9e3779b97f4a7c15ull ^ static_cast<std::uint64_t>(svc->clock->now_ms())) {}

// ---- the actor's thread --------------------------------------------------------------------

void delivery_line::take_deliveries(bool always) {
  std::lock_guard lock(mutex_);
  take_box(always);
  write_changes();
}

void delivery_line::configure(webhook hook, delivery_settings settings) {
  std::lock_guard lock(mutex_);
  hook_ = std::move(hook);
  settings_ = std::move(settings);
  signer_.reset();  // the next attempts sign with the new key
  pump();
  take_box(false);
  write_changes();
}

void delivery_line::on_timer(std::uint64_t token) {
  std::lock_guard lock(mutex_);
  if (!timer_armed_ || token != timer_token_) return;  // replaced by an earlier one
  timer_armed_ = false;
  // Everything due by then, and whatever fell due while the timer was on its way.
  millis until = std::max(timer_due_, svc_->clock->now_ms());
  waiting_.take_due(until, [this](work_item&& item) { ready_.push(std::move(item)); });
  arm_timer();
  pump();
  take_box(false);
  write_changes();
}

storage::write_batch delivery_line::remove() {
  std::lock_guard lock(mutex_);
  closed_ = true;  // nothing new is started
  write_changes();
  storage::write_batch batch;
  auto remove_one = [&](work_item& item) {
    batch.finished_pendings.push_back(item.pending(hook_.key));
    drop(item);
  };
  // Whatever waits in the box goes too (the supervisor puts no more in it).
  for (auto& item : box_->take(false, 0)) remove_one(item);
  for_each_item(remove_one);
  ready_ = {};
  waiting_ = {};
  on_wire_.clear();
  batch.removed_webhooks.push_back(hook_.key);
  return batch;
}

void delivery_line::stop() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  write_changes();
}

void delivery_line::release_events() {
  std::lock_guard lock(mutex_);
  for_each_item([this](work_item& item) { release_event(item); });
}

// ---- the HTTP loop's thread ----------------------------------------------------------------

void delivery_line::on_outcome(std::uint64_t seq, attempt_outcome&& out, std::string&& signature,
                               flush_list& flushes) {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  auto it = on_wire_.find(seq);
  if (it == on_wire_.end()) return;
  work_item& item = it->second;
  ++item.attempts;
  svc_->metrics.attempts.fetch_add(1, std::memory_order_relaxed);
  if (!out.success()) svc_->metrics.attempts_failed.fetch_add(1, std::memory_order_relaxed);
  if (out.success() || !settings_.retry.may_retry(static_cast<int>(item.attempts))) {
    finish(item, std::move(out), std::move(signature));
    drop(item);
    on_wire_.erase(it);
  } else {
    millis delay =
        settings_.retry.delay_after(static_cast<int>(item.attempts), out.retry_after_s, rng_);
    item.due_ms = svc_->clock->now_ms() + delay;
    // A short wait keeps the event (reading it back is a transaction, a decode and a copy); a
    // long one, or many waiting, costs no event in memory: the next attempt loads it again.
    if (delay > kHoldAcrossRetryMs || waiting_.size() >= kHeldEvents) release_event(item);
    rescheduled_.push_back(item.pending(hook_.key));
    work_item again = std::move(item);
    on_wire_.erase(it);
    if (delay <= 0)
      ready_.push(std::move(again));
    else
      wait(std::move(again));
  }
  pump();
  take_box(false);
  if (has_changes() && !listed_) {
    listed_ = true;
    flushes.add(shared_from_this());
  }
}

void delivery_line::flush_into(storage::write_batch& batch) {
  std::lock_guard lock(mutex_);
  listed_ = false;
  append_changes(batch);
}

void flush_list::write() {
  if (lines_.empty()) return;
  storage::write_batch batch = writer_->take_batch();
  for (auto& line : lines_) line->flush_into(batch);  // adds nothing to lines_
  lines_.clear();
  if (!batch.empty()) writer_->submit(std::move(batch));
}

// ---- with the mutex held -------------------------------------------------------------------

bool delivery_line::may_send() const {
  return !closed_ && !svc_->draining.load(std::memory_order_relaxed) &&
         hook_.state == webhook_state::enabled;
}

bool delivery_line::may_start() const {
  return may_send() && on_wire_.size() < static_cast<size_t>(settings_.max_in_flight);
}

void delivery_line::take_box(bool always) {
  if (closed_) return;
  for (;;) {
    bool room = may_start() && ready_.empty();
    if (!room && !always) return;
    size_t line_room = kHeldEvents > ready_.size() ? kHeldEvents - ready_.size() : 0;
    // The box's vector, which the supervisor allocated for this share: freed here once taken.
    std::vector<work_item> taken = box_->take(room, line_room);
    if (taken.empty()) return;
    for (auto& item : taken) accept(std::move(item));
    pump();
    always = false;
  }
}

void delivery_line::accept(work_item&& item) {
  // The next few deliveries keep their event in memory, and a backlog beyond them while the
  // engine-wide budget has room; the rest (a slow or dead receiver) is metadata, and each
  // event is loaded again when its attempt starts.
  if (item.due_ms > svc_->clock->now_ms()) {
    item.ev.reset();
    wait(std::move(item));
    return;
  }
  if (ready_.size() >= kHeldEvents) keep_within_budget(item);
  ready_.push(std::move(item));
}

namespace {

// What an event held in memory costs, roughly: its strings and the shared block around it.
std::int64_t held_bytes(const event& e) {
  return static_cast<std::int64_t>(sizeof(event) + 64 + e.body.size() + e.id.size() +
                                   e.type.size() + e.account_id.size() + e.domain_id.size());
}

}  // namespace

void delivery_line::keep_within_budget(work_item& item) {
  if (!item.ev) return;  // recovered: loaded when due
  std::int64_t bytes = held_bytes(*item.ev);
  std::atomic<std::int64_t>& held = svc_->held_event_bytes;
  // (`charged` counts up to 4 GiB, more than any intake limit lets an event have.)
  if (bytes <= std::numeric_limits<std::uint32_t>::max()) {
    if (held.fetch_add(bytes, std::memory_order_relaxed) + bytes <= svc_->held_event_budget) {
      item.charged = static_cast<std::uint32_t>(bytes);
      return;
    }
    held.fetch_sub(bytes, std::memory_order_relaxed);
  }
  item.ev.reset();
}

void delivery_line::release_event(work_item& item) {
  item.ev.reset();
  if (item.charged) svc_->held_event_bytes.fetch_sub(item.charged, std::memory_order_relaxed);
  item.charged = 0;
}

void delivery_line::drop(work_item& item) {
  release_event(item);
  svc_->pending.fetch_sub(1, std::memory_order_relaxed);
}

template <class F>
void delivery_line::for_each_item(F&& fn) {
  ready_.for_each(fn);
  waiting_.for_each(fn);
  for (auto& [seq, item] : on_wire_) fn(item);
}

void delivery_line::wait(work_item&& item) {
  waiting_.push(std::move(item));
  arm_timer();
}

void delivery_line::arm_timer() {
  if (waiting_.empty()) return;
  // On the shared grid, never early: retries falling due close together, in any webhook, wake
  // CAF's clock thread and a worker once per tick instead of once per retry.
  millis due = (waiting_.next_due() + kTimerTickMs - 1) / kTimerTickMs * kTimerTickMs;
  if (timer_armed_ && timer_due_ <= due) return;
  auto owner = caf::actor_cast<caf::actor>(owner_);
  if (!owner) return;  // the actor is gone; so is the line, once its attempts end
  timer_armed_ = true;
  timer_due_ = due;
  millis wait = std::max<millis>(0, due - svc_->clock->now_ms());
  caf::delayed_anon_send(owner, std::chrono::milliseconds(wait), retry_atom_v, ++timer_token_);
}

void delivery_line::pump() {
  while (may_start() && !ready_.empty()) {
    work_item item = ready_.pop();
    if (!hold_event(item)) {
      drop(item);
      continue;
    }
    if (settings_.retry.tries <= 0) {
      end_unattempted(item, "No attempt made: webhook.delivery.tries is 0");
      drop(item);
      continue;
    }
    start_attempt(std::move(item));
  }
}

bool delivery_line::hold_event(work_item& item) {
  if (item.ev) return true;
  auto ev = svc_->load_event(item.event_seq);
  if (ev) {
    item.ev = std::move(*ev);
    return true;
  }
  // The event is gone (a damaged store): end the delivery with a record that says so.
  end_unattempted(item, "Not delivered: " + ev.error().message());
  return false;
}

void delivery_line::end_unattempted(work_item& item, std::string why) {
  attempt_outcome none;
  none.transport_error = true;
  none.response = std::move(why);
  none.start_ms = none.end_ms = svc_->clock->now_ms();
  finish(item, std::move(none), {});
}

void delivery_line::start_attempt(work_item&& item) {
  net::http_request req;
  req.url = hook_.payload_url;
  std::string signature = sign(*item.ev);
  req.headers = delivery_headers(*item.ev, signature);
  req.body = std::shared_ptr<const std::string>(item.ev, &item.ev->body);
  req.timeout_ms = settings_.timeout_ms;
  req.verify_tls = hook_.ssl_verification;
  req.policy = settings_.policy;
  // The outcome comes on the loop this request goes to, which writes through its flush list.
  req.done = [line = shared_from_this(), flushes = svc_->flush_for(hook_.key), seq = item.seq,
              signature = std::move(signature)](attempt_outcome&& outcome) mutable {
    line->on_outcome(seq, std::move(outcome), std::move(signature), *flushes);
  };
  svc_->http_for(hook_.key).submit(std::move(req));
  on_wire_.emplace(item.seq, std::move(item));
}

std::string delivery_line::sign(const event& ev) {
  if (hook_.secret_key.empty()) return {};
  if (!signer_) signer_ = std::make_unique<hmac_sha256>(hook_.secret_key);
  return signer_->sign_base64(ev.body);
}

void delivery_line::finish(work_item& item, attempt_outcome&& last, std::string&& signature) {
  (last.success() ? svc_->metrics.deliveries_succeeded : svc_->metrics.deliveries_failed)
      .fetch_add(1, std::memory_order_relaxed);
  finished_.push_back({item.ev, item.pending(hook_.key), std::move(signature), std::move(last)});
}

void delivery_line::write_changes() {
  if (!has_changes()) return;
  storage::write_batch batch = svc_->writer->take_batch();
  append_changes(batch);
  svc_->writer->submit(std::move(batch));
}

void delivery_line::append_changes(storage::write_batch& batch) {
  if (!has_changes()) return;
  batch.keep_records = svc_->keep_records;
  batch.updated_pendings.insert(batch.updated_pendings.end(), rescheduled_.begin(),
                                rescheduled_.end());
  size_t first_kept =
      finished_.size() > svc_->keep_records ? finished_.size() - svc_->keep_records : 0;
  for (size_t i = 0; i < finished_.size(); ++i) {
    batch.finished_pendings.push_back(finished_[i].pending);
    if (i >= first_kept) add_record(batch, finished_[i]);
  }
  finished_.clear();
  rescheduled_.clear();
}

void delivery_line::add_record(storage::write_batch& batch, const finished_delivery& f) const {
  const config::config& cfg = *svc_->cfg;
  char id[36];
  make_uuid(id);
  storage::record_fields r;
  r.seq = svc_->next_record_seq.fetch_add(1);
  r.id = std::string_view(id, sizeof id);
  r.webhook_key = hook_.key;
  r.webhook_id = hook_.id;
  r.webhook_name = hook_.name;
  if (f.ev) {
    r.event_id = f.ev->id;
    r.event_type = f.ev->type;
    r.account_id = f.ev->account_id;
    r.json = f.ev->json;
    r.event_seq = f.pending.event_seq;  // the record names the stored event, not a copy of it
    r.payload = f.ev->body;
  }
  r.management_server_id = cfg.server.id;
  r.management_server_name = cfg.server.name;
  r.signature = f.signature;
  r.success = f.last.success();
  r.response = f.last.response;
  r.http_status = f.last.http_status;
  r.attempts = f.pending.attempts;
  r.start_ms = f.last.start_ms;
  r.end_ms = f.last.end_ms;
  batch.add_record(r);
}

}  // namespace hookshot::actors
