#pragma once

// /client/api: CloudStack's API, so CloudStack clients (python3-cs, CloudMonkey) work unchanged.
//
//  - GET with a query string, or POST with a form body (application/x-www-form-urlencoded).
//  - Authentication as CloudStack: apiKey names the account; signature is checked over every
//    other parameter (core/api_request.hpp); signatureVersion=3 needs expires, refused once past.
//  - Answers: {"<command lower-cased>response":{...}} with HTTP 200; lists carry count and are
//    {} when empty; errors are {"<command>response":{"uuidList":[],"errorcode":N,
//    "cserrorcode":M,"errortext":"..."}} with HTTP status N: 401 authentication, 431 a bad
//    parameter, 432 an unknown command, 531 permission denied, 530 an internal error.
//  - response=json is the only format (a missing `response` means json).
//
// Commands: createWebhook, listWebhooks, updateWebhook, deleteWebhook, listWebhookDeliveries,
// deleteWebhookDelivery, executeWebhookDelivery, addWebhookFilter, listWebhookFilters,
// deleteWebhookFilter, listDomains, listAccounts. Changes answer after they are stored, and
// routing and the webhook's actor follow at once.
//
// Thread safety: handle() runs on the HTTP server's thread; it reads storage through read
// transactions and the config, which is immutable.

#include "actors/engine.hpp"
#include "core/api_request.hpp"
#include "net/http_server.hpp"

namespace hookshot::actors {

class api_endpoint {
 public:
  api_endpoint(engine& e, const config::config& cfg);

  void handle(net::incoming_request&& req, net::responder respond);

 private:
  engine& engine_;
  const config::config& cfg_;
  system_clock_source clock_;
};

}  // namespace hookshot::actors
