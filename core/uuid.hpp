#pragma once

#include <string>

namespace hookshot {

/// A random (version 4) UUID in canonical lower-case form. Thread-safe.
std::string make_uuid();

/// True when `s` has the canonical 8-4-4-4-12 hex form.
bool is_uuid(const std::string& s);

}  // namespace hookshot
