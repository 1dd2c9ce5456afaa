#pragma once

// The deliveries cleanup task (CloudStack's, with its per-webhook rule fixed): first run
// `webhook.deliveries.cleanup.initial.delay` seconds after start, then every
// `webhook.deliveries.cleanup.interval` seconds, keep the newest `webhook.deliveries.limit`
// records of each webhook and none of a webhook that no longer exists.
//
// The writer already trims a webhook's log when it appends a record; this sweep applies a
// lowered limit to webhooks that stay quiet and removes records of deleted webhooks.

#include <caf/all.hpp>

#include "actors/services.hpp"

namespace hookshot::actors {

caf::behavior cleanup_task(caf::event_based_actor* self, services* svc);

}  // namespace hookshot::actors
