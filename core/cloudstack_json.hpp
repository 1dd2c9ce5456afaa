#pragma once

// CloudStack's JSON shapes for hookshot's objects (spec section 4), shared by every place that
// shows them: the API and the `hookshot deliveries` command.

#include <boost/json/object.hpp>
#include <string>

#include "core/clock.hpp"
#include "core/delivery.hpp"
#include "core/webhook.hpp"

namespace hookshot {

/// CloudStack's date format, yyyy-MM-dd'T'HH:mm:ssZ, in UTC ("2025-11-07T17:01:44+0000").
std::string cloudstack_date(millis t);

/// A WebhookDeliveryResponse ("webhookdelivery") plus hookshot's fields: httpstatus,
/// attempts, durationms.
boost::json::object delivery_json(const delivery_record& r);

}  // namespace hookshot
