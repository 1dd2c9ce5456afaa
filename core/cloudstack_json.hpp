#pragma once

// CloudStack's JSON shapes for hookshot's objects (spec section 4), shared by every place that
// shows them: the API and the `hookshot deliveries` command.

#include <boost/json/object.hpp>
#include <string>

#include "core/clock.hpp"
#include "core/delivery.hpp"
#include "core/domain_tree.hpp"
#include "core/filter.hpp"
#include "core/webhook.hpp"

namespace hookshot {

/// CloudStack's date format, yyyy-MM-dd'T'HH:mm:ssZ, in UTC ("2025-11-07T17:01:44+0000").
std::string cloudstack_date(millis t);

/// A WebhookDeliveryResponse ("webhookdelivery") plus hookshot's fields: httpstatus,
/// attempts, durationms.
boost::json::object delivery_json(const delivery_record& r);

/// A WebhookResponse ("webhook"): id, name, description, state, domainid, domain, domainpath,
/// account, payloadurl, secretkey, sslverification, scope, created.
boost::json::object webhook_json(const webhook& w, const domain_tree& tree, const account* owner);

/// A DomainResponse ("domain") and an AccountResponse ("account"), the fields the web page and
/// CloudStack clients read.
boost::json::object domain_json(const domain& d, const domain_tree& tree);
/// A WebhookFilterResponse ("webhookfilter"): id, webhookid, webhookname, type, mode,
/// matchtype, value, created.
boost::json::object filter_json(const webhook_filter& f, const webhook& owner);
boost::json::object account_json(const account& a, const domain_tree& tree);

}  // namespace hookshot
