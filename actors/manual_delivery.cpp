#include "actors/manual_delivery.hpp"

#include <memory>

#include "core/event.hpp"
#include "core/request.hpp"
#include "core/signature.hpp"
#include "core/uuid.hpp"

namespace hookshot::actors {
namespace {

struct run_state {
  services* svc;
  manual_delivery d;
  std::shared_ptr<const std::string> body;
  header_list headers;
  std::string signature;
  bool json = true;
  int attempts = 0;
  std::function<void(const status&, const delivery_record&)> done;
};

void finish(const std::shared_ptr<run_state>& s, const attempt_outcome& last) {
  const config::config& cfg = *s->svc->cfg;
  delivery_record r;
  r.seq = s->svc->next_record_seq.fetch_add(1);
  r.id = make_uuid();
  r.webhook_key = s->d.hook.key;
  r.webhook_id = s->d.hook.id;
  r.webhook_name = s->d.hook.name;
  r.event_id = s->d.event_id;
  r.event_type = s->d.event_type;
  r.management_server_id = cfg.server.id;
  r.management_server_name = cfg.server.name;
  r.account_id = s->d.account_id;
  r.signature = s->signature;
  r.json = s->json;
  r.payload = *s->body;
  r.success = last.success();
  r.response = last.response;
  r.http_status = last.http_status;
  r.attempts = static_cast<std::uint32_t>(s->attempts);
  r.start_ms = last.start_ms;
  r.end_ms = last.end_ms;
  if (!s->d.record) return s->done(status::ok(), r);
  storage::write_batch batch;
  batch.add_record(r);
  batch.keep_records = s->svc->keep_records;
  s->svc->writer->submit(std::move(batch), [s, r](const status& st) { s->done(st, r); });
}

void attempt(const std::shared_ptr<run_state>& s) {
  ++s->attempts;
  net::http_request req;
  req.url = s->d.hook.payload_url;
  req.headers = s->headers;
  req.body = s->body;
  req.timeout_ms = s->d.timeout_ms;
  req.verify_tls = s->d.hook.ssl_verification;
  req.policy = s->d.policy;
  req.done = [s](attempt_outcome&& out) {
    if (out.success() || s->attempts >= s->d.tries) return finish(s, out);
    attempt(s);
  };
  s->svc->http_for(s->d.hook.key).submit(std::move(req));
}

}  // namespace

void run_manual_delivery(services& svc, manual_delivery d,
                         std::function<void(const status&, const delivery_record&)> done) {
  auto s = std::make_shared<run_state>();
  s->svc = &svc;
  s->json = is_json_payload(d.payload);
  s->body = std::make_shared<const std::string>(d.payload);
  if (!d.hook.secret_key.empty()) s->signature = sign_payload(d.hook.secret_key, d.payload);
  s->headers = delivery_headers(d.event_id, d.event_type, d.account_id, s->signature, s->json);
  s->d = std::move(d);
  s->done = std::move(done);
  if (s->d.tries <= 0) {
    attempt_outcome none;
    none.transport_error = true;
    none.response = "No attempt made: webhook.delivery.tries is 0";
    none.start_ms = none.end_ms = svc.clock->now_ms();
    return finish(s, none);
  }
  attempt(s);
}

}  // namespace hookshot::actors
