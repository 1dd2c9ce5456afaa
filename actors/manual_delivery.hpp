#pragma once

// Deliveries made on request (executeWebhookDelivery): a test of a webhook or of an ad-hoc URL,
// or the redelivery of a stored delivery. As in CloudStack, the attempts are made back to back
// (`tries` of them, each with `timeout_ms`) and the caller waits for the outcome. A redelivery
// is recorded as a new delivery of the same event; a test is not recorded.

#include <functional>
#include <memory>

#include "actors/services.hpp"
#include "core/delivery.hpp"
#include "core/url_policy.hpp"
#include "core/webhook.hpp"

namespace hookshot::actors {

struct manual_delivery {
  webhook hook;             // where to (URL, secret, sslverification) and whose name/id to report
  std::string event_id;     // X-CS-Event-ID
  std::string event_type;   // X-CS-Event
  std::string account_id;   // User-Agent suffix
  std::string payload;
  int tries = 3;
  long timeout_ms = 10000;
  std::shared_ptr<const url_policy> policy;  // the SSRF policy of the webhook's domain
  bool record = false;      // store the result as a delivery record (redelivery)
};

/// Runs the attempts; `done` gets the delivery's record (stored first when `record`), on an
/// HTTP-loop or storage thread.
void run_manual_delivery(services& svc, manual_delivery d,
                         std::function<void(const status&, const delivery_record&)> done);

}  // namespace hookshot::actors
