#include "actors/supervisor.hpp"

#include "actors/webhook_actor.hpp"

namespace hookshot::actors {

supervisor::supervisor(caf::actor_config& cfg, services* svc, std::vector<recovered_webhook> hooks,
                       std::uint64_t next_event_seq, std::uint64_t next_pending_seq)
    : caf::event_based_actor(cfg),
      svc_(svc),
      recovered_(std::move(hooks)),
      next_event_seq_(next_event_seq),
      next_pending_seq_(next_pending_seq) {}

caf::behavior supervisor::make_behavior() {
  const config::config& cfg = *svc_->cfg;
  for (auto& r : recovered_) {
    auto settings = cfg.values.delivery_for(r.hook.domain_id, cfg.tree);
    index_.upsert(r.hook);
    auto hdl = spawn<webhook_actor>(svc_, r.hook, settings);
    if (!r.pending.empty()) send(hdl, deliver_msg{std::move(r.pending)});
    actors_.emplace(r.hook.key, std::move(hdl));
  }
  recovered_.clear();
  recovered_.shrink_to_fit();
  return {
      [this](ingest_msg& msg) { on_ingest(msg); },
      [this](stop_atom) {
        for (auto& [key, hdl] : actors_) send(hdl, stop_atom_v);
        quit();
      },
  };
}

void supervisor::on_ingest(ingest_msg& msg) {
  const config::config& cfg = *svc_->cfg;
  storage::write_batch batch;
  std::unordered_map<std::uint64_t, std::vector<work_item>> per_webhook;
  millis now = svc_->clock->now_ms();
  for (auto& ev : msg.events) {
    const account* owner = cfg.find_account(ev.account_id);
    ev.domain_id = owner ? owner->domain_id : std::string();
    auto keys = index_.match(ev.account_id, cfg.tree.ancestors_of(ev.domain_id));
    if (keys.empty()) continue;
    ev.seq = next_event_seq_++;
    auto shared = std::make_shared<const event>(ev);
    for (std::uint64_t key : keys) {
      pending_delivery p;
      p.seq = next_pending_seq_++;
      p.webhook_key = key;
      p.event_seq = shared->seq;
      p.due_ms = now;
      batch.new_pendings.push_back(p);
      per_webhook[key].push_back(work_item{p, shared, {}});
    }
    batch.add_event(*shared);
  }
  if (batch.empty()) {
    msg.reply(status::ok());
    return;
  }
  std::vector<std::pair<caf::actor, deliver_msg>> sends;
  sends.reserve(per_webhook.size());
  for (auto& [key, items] : per_webhook)
    sends.emplace_back(actors_.at(key), deliver_msg{std::move(items)});
  svc_->writer->submit(std::move(batch), [sends = std::move(sends),
                                          reply = std::move(msg.reply)](const status& st) mutable {
    if (st)
      for (auto& [hdl, m] : sends) caf::anon_send(hdl, std::move(m));
    reply(st);
  });
}

}  // namespace hookshot::actors
