#include "actors/outcome_relay.hpp"

namespace hookshot::actors {

void relay_inbox::post(std::shared_ptr<outcome_box> box) {
  std::lock_guard lock(mutex_);
  if (relay_) boxes_.push_back(std::move(box));  // else shutting down: dropped
}

void relay_inbox::hand_over() {
  caf::actor relay;
  {
    std::lock_guard lock(mutex_);
    if (!relay_ || boxes_.empty() || woken_) return;
    woken_ = true;
    relay = relay_;
  }
  caf::anon_send(relay, relay_atom_v);
}

std::vector<std::shared_ptr<outcome_box>> relay_inbox::take() {
  std::vector<std::shared_ptr<outcome_box>> out;
  std::lock_guard lock(mutex_);
  out.swap(boxes_);
  woken_ = false;
  return out;
}

void relay_inbox::set_relay(caf::actor relay) {
  std::lock_guard lock(mutex_);
  relay_ = std::move(relay);
}

caf::behavior outcome_relay(caf::event_based_actor* self, relay_inbox* inbox) {
  auto forward = [=] {
    for (auto& box : inbox->take())
      if (auto hdl = caf::actor_cast<caf::actor>(box->owner)) self->send(hdl, outcomes_atom_v);
  };
  return {
      [=](relay_atom) { forward(); },
      [=](stop_atom) {
        forward();
        self->quit();
      },
  };
}

}  // namespace hookshot::actors
