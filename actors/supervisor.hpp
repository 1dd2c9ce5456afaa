#pragma once

// The supervisor owns the routing index and the webhook actors.
//
//   ingest_msg ──▶ route each event (routing_index: Global | Domain chain | Local account)
//              ──▶ one write batch: the events + one pending delivery per (event, webhook)
//              ──▶ after the commit: the intake's reply, and stored_deliveries_msg back to the
//                  supervisor, which puts each matching webhook's deliveries in its
//                  delivery_box (and sends deliveries_atom when the box says to)
//
// Deliveries recovered at start-up go into the boxes the same way.
//
// Events that match no webhook, and events outside the ActionEvent category, are accepted
// and not stored: there is nothing to deliver.
//
// upsert_webhook_msg: store the webhook, then (stored_atom) update the index and spawn or
// reconfigure its actor, then reply. delete_webhook_msg: out of the index at once; the actor
// removes the webhook, its pending deliveries and its log in one write, replies and quits.
//
// filters_msg: store the change, then (stored_atom) apply it to the filters routing consults
// after the index: a webhook whose filters refuse an event's type does not get it.
//
// stop_atom is forwarded to every webhook actor; then the supervisor quits.

#include <caf/all.hpp>
#include <memory>
#include <unordered_map>
#include <vector>

#include "actors/delivery_box.hpp"
#include "actors/services.hpp"
#include "actors/type_ids.hpp"
#include "core/routing_index.hpp"

namespace hookshot::actors {

/// A webhook and the deliveries recovered for it at start-up.
struct recovered_webhook {
  webhook hook;
  std::vector<work_item> pending;
  std::vector<webhook_filter> filters;
};

class supervisor : public caf::event_based_actor {
 public:
  supervisor(caf::actor_config& cfg, services* svc, std::vector<recovered_webhook> hooks,
             std::uint64_t next_event_seq, std::uint64_t next_pending_seq,
             std::uint64_t next_webhook_key, std::uint64_t next_filter_key);

  caf::behavior make_behavior() override;
  const char* name() const override { return "supervisor"; }

 private:
  void on_ingest(ingest_msg& msg);
  void on_upsert(upsert_webhook_msg& msg);
  void apply_stored(upsert_webhook_msg& msg);
  void on_filters(filters_msg& msg);
  void apply_filters(filters_msg& msg);

  services* svc_;
  std::vector<recovered_webhook> recovered_;  // handed to actors once, in make_behavior
  routing_index index_;
  struct member {
    caf::actor actor;
    std::shared_ptr<delivery_box> box;  // shared with the actor
  };
  // Spawns the webhook's actor with a new box.
  member spawn_member(const webhook& hook);
  // Puts `items` in `m`'s box, waking its actor when the box says to.
  void hand_to(const member& m, std::vector<work_item>&& items);

  std::unordered_map<std::uint64_t, member> actors_;
  std::uint64_t next_event_seq_;
  std::uint64_t next_pending_seq_;
  std::uint64_t next_webhook_key_;
  std::uint64_t next_filter_key_;
  std::unordered_map<std::uint64_t, std::vector<webhook_filter>> filters_;  // webhooks with any
};

}  // namespace hookshot::actors
