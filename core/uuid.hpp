#pragma once

#include <string>

namespace hookshot {

/// A random (version 4) UUID in canonical lower-case form. Thread-safe.
std::string make_uuid();
/// The same, written into `out` (36 characters, no terminator): no allocation, for ids made
/// once per delivery.
void make_uuid(char (&out)[36]);

}  // namespace hookshot
