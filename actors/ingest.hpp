#pragma once

// POST /v1/events: event intake (ARCHITECTURE.md section 3.3).
//
//  - Body: one CloudStack event object, or many as NDJSON (Content-Type
//    application/x-ndjson). Blank lines are skipped; errors name the line.
//  - Authentication: X-CS-Signature = base64(HMAC-SHA256(ingest.secretkey, body)). Without a
//    configured key only loopback clients may post.
//  - 202 {"accepted":N,"events":[ids]} only after the events are durable; 400 for bad input,
//    401 for a bad or missing signature, 413 (server) for an oversized body, 429 with
//    Retry-After while `ingest.max.pending` deliveries are waiting (memory stays bounded under a
//    flood), 503 when storage refuses the write. A rejected request stores nothing.
//  - A single-event body may carry its event id in X-CS-Event-ID (as CloudStack's own webhook
//    sends it); otherwise each event gets a fresh uuid.

#include <mutex>

#include "actors/engine.hpp"
#include "core/signature.hpp"
#include "net/http_server.hpp"

namespace hookshot::actors {

class ingest_endpoint {
 public:
  ingest_endpoint(engine& e, const config::config& cfg);

  /// Handles one request to /v1/events; answers through `respond` (maybe later, from the
  /// storage thread).
  void handle(net::incoming_request&& req, net::responder respond);

 private:
  engine& engine_;
  std::int64_t max_pending_;
  std::mutex verifier_mutex_;               // I/O threads take turns with the verifier
  std::unique_ptr<hmac_sha256> verifier_;  // null without ingest.secretkey
};

/// {"error":"<message>"} with the given status.
net::outgoing_response json_error(unsigned status, const std::string& message);

}  // namespace hookshot::actors
