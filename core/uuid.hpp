#pragma once

#include <string>

namespace hookshot {

/// A random (version 4) UUID in canonical lower-case form. Thread-safe.
std::string make_uuid();

}  // namespace hookshot
