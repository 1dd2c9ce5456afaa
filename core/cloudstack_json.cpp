#include "core/cloudstack_json.hpp"

#include <ctime>

#include "core/request.hpp"

namespace hookshot {

std::string cloudstack_date(millis t) {
  std::time_t secs = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+0000", &tm);
  return buf;
}

boost::json::object delivery_json(const delivery_record& r) {
  boost::json::object o;
  o["id"] = r.id;
  o["eventid"] = r.event_id;
  o["eventtype"] = r.event_type;
  o["webhookid"] = r.webhook_id;
  o["webhookname"] = r.webhook_name;
  o["managementserverid"] = r.management_server_id;
  o["managementservername"] = r.management_server_name;
  o["headers"] = recorded_headers(r);
  o["payload"] = r.payload;
  o["success"] = r.success;
  o["response"] = r.response;
  o["startdate"] = cloudstack_date(r.start_ms);
  o["enddate"] = cloudstack_date(r.end_ms);
  o["httpstatus"] = r.http_status;
  o["attempts"] = r.attempts;
  o["durationms"] = r.end_ms - r.start_ms;
  return o;
}

boost::json::object webhook_json(const webhook& w, const domain_tree& tree, const account* owner) {
  const domain* d = tree.find(w.domain_id);
  boost::json::object o;
  o["id"] = w.id;
  o["name"] = w.name;
  if (!w.description.empty()) o["description"] = w.description;
  o["state"] = to_string(w.state);
  o["domainid"] = w.domain_id;
  o["domain"] = d ? d->name : "";
  o["domainpath"] = tree.path_of(w.domain_id);
  o["account"] = owner ? owner->name : "";
  o["payloadurl"] = w.payload_url;
  if (!w.secret_key.empty()) o["secretkey"] = w.secret_key;
  o["sslverification"] = w.ssl_verification;
  o["scope"] = to_string(w.scope_);
  o["created"] = cloudstack_date(w.created_ms);
  return o;
}

boost::json::object domain_json(const domain& d, const domain_tree& tree) {
  boost::json::object o;
  o["id"] = d.id;
  o["name"] = d.name;
  o["level"] = tree.ancestors_of(d.id).size() - 1;
  if (!d.parent.empty()) {
    o["parentdomainid"] = d.parent;
    o["parentdomainname"] = tree.find(d.parent)->name;
  }
  bool has_child = false;
  for (const auto& other : tree.all()) has_child = has_child || other.parent == d.id;
  o["haschild"] = has_child;
  o["path"] = tree.path_of(d.id);
  o["state"] = "Active";
  return o;
}

boost::json::object filter_json(const webhook_filter& f, const webhook& owner) {
  return boost::json::object{{"id", f.id},
                             {"webhookid", owner.id},
                             {"webhookname", owner.name},
                             {"type", "EventType"},
                             {"mode", to_string(f.mode)},
                             {"matchtype", to_string(f.match)},
                             {"value", f.value},
                             {"created", cloudstack_date(f.created_ms)}};
}

boost::json::object account_json(const account& a, const domain_tree& tree) {
  const domain* d = tree.find(a.domain_id);
  boost::json::object o;
  o["id"] = a.id;
  o["name"] = a.name;
  // CloudStack's account types: 0 user, 1 root admin, 2 domain admin.
  o["accounttype"] = a.role == account_role::user ? 0 : a.role == account_role::admin ? 1 : 2;
  o["roletype"] = to_string(a.role);
  o["domainid"] = a.domain_id;
  o["domain"] = d ? d->name : "";
  o["domainpath"] = tree.path_of(a.domain_id);
  o["state"] = "enabled";
  return o;
}

}  // namespace hookshot
