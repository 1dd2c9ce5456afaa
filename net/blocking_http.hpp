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

}  // namespace hookshot::net
