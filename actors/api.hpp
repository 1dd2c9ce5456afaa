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
// transactions and the config, which is immutable. Commands that carry a payload URL resolve
// it (DNS) for the SSRF check and run on the endpoint's own worker thread instead, so a slow
// resolver never holds up intake or other API calls.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "actors/engine.hpp"
#include "core/api_request.hpp"
#include "core/url_policy.hpp"
#include "net/http_server.hpp"

namespace hookshot::actors {

class api_endpoint {
 public:
  /// `resolve` answers the SSRF checks' DNS questions (tests inject a slow or fixed one).
  api_endpoint(engine& e, const config::config& cfg, resolver resolve = system_resolver());
  /// Answers every request already taken, then stops the worker.
  ~api_endpoint();
  api_endpoint(const api_endpoint&) = delete;
  api_endpoint& operator=(const api_endpoint&) = delete;

  void handle(net::incoming_request&& req, net::responder respond);

 private:
  void run_worker();

  engine& engine_;
  const config::config& cfg_;
  system_clock_source clock_;
  resolver resolve_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread worker_;  // last: starts once everything above exists
};

}  // namespace hookshot::actors
