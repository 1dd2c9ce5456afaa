#include "actors/webhook_actor.hpp"

namespace hookshot::actors {

webhook_actor::webhook_actor(caf::actor_config& cfg, services* svc, webhook hook,
                             delivery_settings settings, std::shared_ptr<delivery_box> box)
    : caf::event_based_actor(cfg),
      svc_(svc),
      line_(std::make_shared<delivery_line>(svc, std::move(hook), std::move(settings),
                                            std::move(box), address())) {}

caf::behavior webhook_actor::make_behavior() {
  return {
      [this](deliveries_atom) { line_->take_deliveries(true); },
      [this](retry_atom, std::uint64_t token) { line_->on_timer(token); },
      [this](reconfigure_msg& msg) { line_->configure(std::move(msg.hook), std::move(msg.settings)); },
      [this](delete_webhook_msg& msg) {
        svc_->writer->submit(line_->remove(), std::move(msg.reply));
        quit();
      },
      [this](stop_atom) {
        line_->stop();
        quit();
      },
  };
}

void webhook_actor::on_exit() {
  line_->release_events();
}

}  // namespace hookshot::actors
