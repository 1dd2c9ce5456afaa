#pragma once

// A small asynchronous HTTP/1.1 server (Boost.Beast) that hands each request to one handler
// and lets the handler answer later, from any thread. hookshot serves /v1/events, /healthz
// and the API with it; `hookshot sink` is the same server with a counting handler.
//
// Limits are explicit: a body larger than `body_limit` is answered 413 without calling the
// handler; an idle keep-alive connection is closed after 60 s.
//
// Thread safety: start() and stop() from the owning thread; a responder may be called from
// any thread, exactly once.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.hpp"

namespace hookshot::net {

struct incoming_request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool from_loopback = false;

  /// First header of that name (case-insensitive), or empty.
  std::string header(const std::string& name) const;
  /// The target without its query string.
  std::string path() const;
};

struct outgoing_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using responder = std::function<void(outgoing_response)>;
using request_handler = std::function<void(incoming_request&&, responder)>;

struct server_options {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
  size_t threads = 1;
  std::uint64_t body_limit = 16u << 20;
};

/// Splits "host:port" or "[v6]:port". Fails with a message naming the value.
status parse_listen(const std::string& listen, std::string& host, std::uint16_t& port);

class http_server {
 public:
  http_server(server_options options, request_handler handler);
  ~http_server();

  /// Binds, listens and starts the I/O threads. Errors: the address is malformed or taken.
  status start();
  /// Stops accepting and ends the I/O threads; open connections are closed. Idempotent.
  void stop();
  /// The bound port (useful with port 0).
  std::uint16_t port() const;
  /// Runs `fn` on an I/O thread after `delay_ms` (0 = soon).
  void post_after(long delay_ms, std::function<void()> fn);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace hookshot::net
