#include "actors/ingest.hpp"

#include <boost/json.hpp>

#include "core/uuid.hpp"

namespace hookshot::actors {
namespace json = boost::json;

net::outgoing_response json_error(unsigned status, const std::string& message) {
  net::outgoing_response r;
  r.status = status;
  r.body = json::serialize(json::object{{"error", message}});
  return r;
}

ingest_endpoint::ingest_endpoint(engine& e, const config::config& cfg)
    : engine_(e), max_pending_(cfg.values.get_int("ingest.max.pending")) {
  if (!cfg.ingest_secret.empty()) verifier_ = std::make_unique<hmac_sha256>(cfg.ingest_secret);
}

void ingest_endpoint::handle(net::incoming_request&& req, net::responder respond) {
  if (req.method != "POST") {
    auto r = json_error(405, "use POST to send events");
    r.headers.emplace_back("Allow", "POST");
    return respond(std::move(r));
  }
  if (verifier_) {
    std::string given = req.header("X-CS-Signature");
    if (given.empty())
      return respond(json_error(401,
                                "missing X-CS-Signature header (HMAC-SHA256 of the body "
                                "with ingest.secretkey, base64)"));
    std::string expected;
    {
      std::lock_guard lock(verifier_mutex_);
      expected = verifier_->sign_base64(req.body);
    }
    if (!constant_time_equals(given, expected))
      return respond(json_error(401, "X-CS-Signature does not match the body"));
  } else if (!req.from_loopback) {
    return respond(json_error(401,
                              "ingest.secretkey is not configured, so only loopback "
                              "clients may post events"));
  }

  if (engine_.pending() >= max_pending_) {
    auto r = json_error(429, std::to_string(engine_.pending()) + " deliveries are waiting (ingest.max.pending is " +
                                 std::to_string(max_pending_) + "); retry later");
    r.headers.emplace_back("Retry-After", "1");
    return respond(std::move(r));
  }
  std::string content_type = req.header("Content-Type");
  bool ndjson = content_type.find("ndjson") != std::string::npos;
  std::vector<ndjson_line> lines;
  if (ndjson) {
    lines = split_ndjson(req.body);
  } else if (req.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    lines.push_back({1, req.body});
  }
  if (lines.empty()) return respond(json_error(400, "the request body holds no event"));

  millis now = system_clock_source().now_ms();
  std::vector<event> deliverable;
  // The reply, {"accepted":N,"events":[ids]}, is written as the ids are made: a JSON array of
  // strings cost an allocation per event (a fifth of the intake thread's work per event).
  std::string ids = "[";
  ids.reserve(2 + 39 * lines.size());
  for (const auto& line : lines) {
    auto parsed = parse_event(line.text);
    if (!parsed) {
      std::string where = ndjson ? "line " + std::to_string(line.number) + ": " : "";
      return respond(json_error(400, where + parsed.error().message()));
    }
    event ev;
    std::string header_id = lines.size() == 1 ? req.header("X-CS-Event-ID") : std::string();
    ev.id = header_id.empty() ? make_uuid() : header_id;
    ev.type = std::move(parsed->type);
    ev.account_id = std::move(parsed->account_id);
    ev.body = std::string(line.text);
    ev.json = true;
    ev.received_ms = now;
    if (ids.size() > 1) ids += ',';
    if (header_id.empty()) ids.append("\"").append(ev.id).append("\"");  // a uuid: nothing to escape
    else ids += json::serialize(json::string_view(header_id));
    // Only ActionEvent-category events are delivered (CloudStack); others are acknowledged.
    if (parsed->action) deliverable.push_back(std::move(ev));
  }
  ids += ']';
  size_t accepted = lines.size();
  std::string body = "{\"accepted\":" + std::to_string(accepted) + ",\"events\":" + ids + "}";
  engine_.ingest(std::move(deliverable),
                 [respond = std::move(respond), body = std::move(body), accepted,
                  metrics = &engine_.metrics()](const status& st) {
                   if (!st) return respond(json_error(503, "events not stored: " + st.message()));
                   metrics->events_accepted.fetch_add(accepted, std::memory_order_relaxed);
                   net::outgoing_response r;
                   r.status = 202;
                   r.body = body;
                   respond(std::move(r));
                 });
}

}  // namespace hookshot::actors
