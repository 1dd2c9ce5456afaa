#pragma once

// Waiting in tests for something another thread does: polls `ok` every 5 ms until it holds or
// `within` has passed, and returns its last answer (REQUIRE it).

#include <chrono>
#include <functional>
#include <thread>

namespace hookshot::testing {

inline bool eventually(const std::function<bool()>& ok,
                       std::chrono::milliseconds within = std::chrono::seconds(5)) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (!ok() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return ok();
}

}  // namespace hookshot::testing
