#pragma once

// One actor per webhook. It owns the webhook's delivery_line (its pending deliveries, their
// retry state and its in-flight cap; actors/delivery_line.hpp), whose attempts' outcomes are
// handled on the HTTP loops, and does for the line what needs an actor:
//
//   deliveries_atom          the delivery box holds deliveries for a line that asked for them
//   (retry_atom, token)      the line's timer: waiting deliveries fall due
//   reconfigure_msg          the webhook's config or delivery settings changed
//   delete_webhook_msg       one write removes the webhook, every pending delivery of it and
//                            its log; then the actor replies and quits (outcomes of attempts
//                            still on the wire are ignored)
//   stop_atom                writes what the line has not written, then quits

#include <caf/all.hpp>

#include <memory>

#include "actors/delivery_box.hpp"
#include "actors/delivery_line.hpp"
#include "actors/services.hpp"
#include "actors/type_ids.hpp"

namespace hookshot::actors {

class webhook_actor : public caf::event_based_actor {
 public:
  /// `box`: where the webhook's new deliveries wait (its pending count is services::pending).
  webhook_actor(caf::actor_config& cfg, services* svc, webhook hook, delivery_settings settings,
                std::shared_ptr<delivery_box> box);

  caf::behavior make_behavior() override;
  const char* name() const override { return "webhook"; }
  void on_exit() override;  // gives back the events' budget

 private:
  services* svc_;
  std::shared_ptr<delivery_line> line_;
};

}  // namespace hookshot::actors
