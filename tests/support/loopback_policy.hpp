#pragma once

// A url_policy for tests whose receivers listen on loopback: plain http allowed, local
// addresses not blocked.

#include <memory>

#include "core/url_policy.hpp"

namespace hookshot::testing {

inline std::shared_ptr<const url_policy> loopback_policy() {
  auto p = std::make_shared<url_policy>();
  p->allow_http = true;
  p->block_local = false;
  return p;
}

}  // namespace hookshot::testing
