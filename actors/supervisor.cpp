#include "actors/supervisor.hpp"

#include <algorithm>

#include "actors/webhook_actor.hpp"

namespace hookshot::actors {

supervisor::supervisor(caf::actor_config& cfg, services* svc, std::vector<recovered_webhook> hooks,
                       std::uint64_t next_event_seq, std::uint64_t next_pending_seq,
                       std::uint64_t next_webhook_key, std::uint64_t next_filter_key)
    : caf::event_based_actor(cfg),
      svc_(svc),
      recovered_(std::move(hooks)),
      next_event_seq_(next_event_seq),
      next_pending_seq_(next_pending_seq),
      next_webhook_key_(next_webhook_key),
      next_filter_key_(next_filter_key) {}

caf::behavior supervisor::make_behavior() {
  for (auto& r : recovered_) {
    index_.upsert(r.hook);
    if (!r.filters.empty()) filters_[r.hook.key] = std::move(r.filters);
    member m = spawn_member(r.hook);
    hand_to(m, std::move(r.pending));
    actors_.emplace(r.hook.key, std::move(m));
  }
  recovered_.clear();
  recovered_.shrink_to_fit();
  svc_->metrics.webhooks.store(static_cast<std::int64_t>(actors_.size()));
  return {
      [this](ingest_msg& msg) { on_ingest(msg); },
      [this](stored_deliveries_msg& msg) {
        for (auto& [key, items] : msg.per_webhook) {
          auto it = actors_.find(key);
          // Deleted since routing (keys are not reused): its actor has removed its pending
          // deliveries.
          if (it != actors_.end()) hand_to(it->second, std::move(items));
        }
      },
      [this](upsert_webhook_msg& msg) { on_upsert(msg); },
      [this](stored_atom, upsert_webhook_msg& msg) { apply_stored(msg); },
      [this](filters_msg& msg) { on_filters(msg); },
      [this](stored_atom, filters_msg& msg) { apply_filters(msg); },
      [this](delete_webhook_msg& msg) {
        auto it = actors_.find(msg.key);
        if (it == actors_.end()) return msg.reply(status::not_found("no such webhook"));
        index_.remove(msg.key);  // no new events from now on
        filters_.erase(msg.key);
        send(it->second.actor, std::move(msg));
        actors_.erase(it);
        svc_->metrics.webhooks.store(static_cast<std::int64_t>(actors_.size()));
      },
      [this](stop_atom) {
        for (auto& [key, m] : actors_) send(m.actor, stop_atom_v);
        quit();
      },
  };
}

supervisor::member supervisor::spawn_member(const webhook& hook) {
  const config::config& cfg = *svc_->cfg;
  auto box = std::make_shared<delivery_box>(&svc_->pending);
  auto actor = spawn<webhook_actor>(svc_, hook, cfg.values.delivery_for(hook.domain_id, cfg.tree), box);
  return {std::move(actor), std::move(box)};
}

void supervisor::hand_to(const member& m, std::vector<work_item>&& items) {
  // A message from one actor to another is queued on the sending worker.
  if (m.box->put(std::move(items))) send(m.actor, deliveries_atom_v);
}

void supervisor::on_upsert(upsert_webhook_msg& msg) {
  if (msg.hook.key == 0) msg.hook.key = next_webhook_key_++;
  storage::write_batch batch;
  batch.webhooks.push_back(msg.hook);
  caf::actor self = caf::actor_cast<caf::actor>(this);
  svc_->writer->submit(std::move(batch), [self, msg = std::move(msg)](const status& st) mutable {
    if (!st) return msg.reply(st, msg.hook);
    caf::anon_send(self, stored_atom_v, std::move(msg));
  });
}

void supervisor::apply_stored(upsert_webhook_msg& msg) {
  const config::config& cfg = *svc_->cfg;
  const webhook& w = msg.hook;
  index_.upsert(w);
  auto it = actors_.find(w.key);
  if (it == actors_.end()) {
    actors_.emplace(w.key, spawn_member(w));
    svc_->metrics.webhooks.store(static_cast<std::int64_t>(actors_.size()));
  } else {
    send(it->second.actor, reconfigure_msg{w, cfg.values.delivery_for(w.domain_id, cfg.tree)});
  }
  msg.reply(status::ok(), w);
}

void supervisor::on_filters(filters_msg& msg) {
  storage::write_batch batch;
  for (auto& f : msg.add) {
    f.key = next_filter_key_++;
    f.webhook_key = msg.webhook_key;
    batch.filters.push_back(f);
  }
  for (std::uint64_t key : msg.remove) batch.removed_filters.emplace_back(msg.webhook_key, key);
  caf::actor self = caf::actor_cast<caf::actor>(this);
  svc_->writer->submit(std::move(batch), [self, msg = std::move(msg)](const status& st) mutable {
    if (!st) return msg.reply(st, {});
    caf::anon_send(self, stored_atom_v, std::move(msg));
  });
}

void supervisor::apply_filters(filters_msg& msg) {
  auto& list = filters_[msg.webhook_key];
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const webhook_filter& f) {
                              return std::find(msg.remove.begin(), msg.remove.end(), f.key) != msg.remove.end();
                            }),
             list.end());
  list.insert(list.end(), msg.add.begin(), msg.add.end());
  if (list.empty()) filters_.erase(msg.webhook_key);
  msg.reply(status::ok(), msg.add);
}

void supervisor::on_ingest(ingest_msg& msg) {
  const config::config& cfg = *svc_->cfg;
  storage::write_batch batch = svc_->writer->take_batch();
  std::unordered_map<std::uint64_t, std::vector<work_item>> per_webhook;
  millis now = svc_->clock->now_ms();
  for (auto& ev : msg.events) {
    const account* owner = cfg.find_account(ev.account_id);
    ev.domain_id = owner ? owner->domain_id : std::string();
    auto keys = index_.match(ev.account_id, cfg.tree.ancestors_of(ev.domain_id));
    if (!filters_.empty())
      keys.erase(std::remove_if(keys.begin(), keys.end(),
                                [&](std::uint64_t key) {
                                  auto f = filters_.find(key);
                                  return f != filters_.end() && !filters_pass(f->second, ev.type);
                                }),
                 keys.end());
    if (keys.empty()) continue;
    ev.seq = next_event_seq_++;
    auto shared = std::make_shared<const event>(std::move(ev));  // the message is done with it
    for (std::uint64_t key : keys) {
      pending_delivery p;
      p.seq = next_pending_seq_++;
      p.webhook_key = key;
      p.event_seq = shared->seq;
      p.due_ms = now;
      batch.new_pendings.push_back(p);
      per_webhook[key].push_back(work_item(p, shared));
    }
    batch.add_event(*shared);
  }
  if (batch.empty()) {
    msg.reply(status::ok());
    return;
  }
  std::uint64_t events = batch.new_events.size(), deliveries = batch.new_pendings.size();
  engine_metrics* metrics = &svc_->metrics;
  // The supervisor hands the deliveries on: a message from one actor to another is queued on
  // the sending worker, where one from the writer's thread per webhook actor went through
  // CAF's scheduler and woke a sleeping worker each (fan-out: a thousand per event).
  caf::actor self = caf::actor_cast<caf::actor>(this);
  svc_->writer->submit(std::move(batch), [self, per_webhook = std::move(per_webhook), events, deliveries, metrics,
                                          reply = std::move(msg.reply)](const status& st) mutable {
    if (st) {
      metrics->events_stored.fetch_add(events, std::memory_order_relaxed);
      metrics->deliveries_created.fetch_add(deliveries, std::memory_order_relaxed);
      caf::anon_send(self, stored_deliveries_msg{std::move(per_webhook)});
    }
    reply(st);
  });
}

}  // namespace hookshot::actors
