#pragma once

// An HTTP receiver on 127.0.0.1 (a free port) for tests of the delivery path: it counts the
// requests it gets and answers each with 200 and "echo:<body>", or 500 for the path "/fail",
// after `delay_ms` when given.

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <utility>

#include "net/http_server.hpp"

namespace hookshot::testing {

struct loopback_server {
  std::atomic<int> hits{0};
  net::http_server server;
  explicit loopback_server(long delay_ms = 0)
      : server(net::server_options{"127.0.0.1:0", 2, 1 << 20},
               [this, delay_ms](net::incoming_request&& req, net::responder respond) {
                 ++hits;
                 net::outgoing_response r;
                 r.status = req.path() == "/fail" ? 500 : 200;
                 r.body = "echo:" + req.body;
                 if (delay_ms == 0) return respond(std::move(r));
                 server.post_after(delay_ms, [respond = std::move(respond), r = std::move(r)]() mutable {
                   respond(std::move(r));
                 });
               }) {
    REQUIRE(server.start().is_ok());
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server.port()) + path;
  }
};

}  // namespace hookshot::testing
