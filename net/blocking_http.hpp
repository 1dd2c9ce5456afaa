#pragma once

// Small blocking HTTP calls with libcurl, for command-line clients and the benchmark harness
// (never on a delivery path). No proxy from the environment.

#include <string>
#include <vector>

#include "core/status.hpp"

namespace hookshot::net {

/// GET `url`; the status code, or a status when no answer came. `body` receives the answer.
result<long> http_get(const std::string& url, std::string* body = nullptr, long timeout_ms = 2000);

/// POST `body` with extra `headers` ("Name: value").
result<long> http_post(const std::string& url, const std::string& body,
                       const std::vector<std::string>& headers, std::string* answer = nullptr,
                       long timeout_ms = 60000);

/// Blocking POSTs to one URL over one reused (keep-alive) connection; the answer body is
/// discarded. Not thread-safe: one per thread.
class keepalive_poster {
 public:
  keepalive_poster(const std::string& url, const std::vector<std::string>& headers, long timeout_ms);
  ~keepalive_poster();
  keepalive_poster(const keepalive_poster&) = delete;
  keepalive_poster& operator=(const keepalive_poster&) = delete;

  /// The status code, or 0 when no answer came. `body` must live until the call returns.
  long post(const std::string& body);

 private:
  void* easy_;
  void* headers_;
};

}  // namespace hookshot::net
