#include "core/uuid.hpp"

#include <openssl/rand.h>

#include <cstdint>
#include <random>

namespace hookshot {

std::string make_uuid() {
  std::uint8_t b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    // The OpenSSL RNG failing is not expected; fall back to a per-thread PRNG.
    thread_local std::mt19937_64 engine{std::random_device{}()};
    for (auto& x : b) x = static_cast<std::uint8_t>(engine());
  }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 15]);
  }
  return out;
}

}  // namespace hookshot
