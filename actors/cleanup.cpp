#include "actors/cleanup.hpp"

#include <chrono>

#include "actors/type_ids.hpp"

namespace hookshot::actors {

caf::behavior cleanup_task(caf::event_based_actor* self, services* svc) {
  const auto& values = svc->cfg->values;
  auto initial = std::chrono::seconds(values.get_int("webhook.deliveries.cleanup.initial.delay"));
  auto interval = std::chrono::seconds(values.get_int("webhook.deliveries.cleanup.interval"));
  self->delayed_send(self, initial, cleanup_atom_v);
  return {
      [=](cleanup_atom) {
        storage::write_batch batch;
        batch.cleanup_keep = svc->keep_records;
        svc->writer->submit(std::move(batch));
        self->delayed_send(self, interval, cleanup_atom_v);
      },
      [=](stop_atom) { self->quit(); },
  };
}

}  // namespace hookshot::actors
