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

}  // namespace hookshot
