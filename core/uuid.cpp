#include "core/uuid.hpp"

#include <openssl/rand.h>
#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <random>

namespace hookshot {
namespace {

// Bumped in a forked child, so no two processes hand out the same buffered bytes.
std::atomic<unsigned> fork_generation{0};

// Random bytes fetched from OpenSSL's CSPRNG 4 KiB at a time (256 UUIDs): one RAND_bytes
// call per event cost more than the rest of generating its id.
class random_pool {
 public:
  const std::uint8_t* take16() {
    unsigned gen = fork_generation.load(std::memory_order_relaxed);
    if (pos_ + 16 > sizeof bytes_ || gen != generation_) refill(gen);
    const std::uint8_t* out = bytes_ + pos_;
    pos_ += 16;
    return out;
  }

 private:
  void refill(unsigned gen) {
    static const bool registered = [] {
      pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); });
      return true;
    }();
    (void)registered;
    if (RAND_bytes(bytes_, sizeof bytes_) != 1) {
      // The OpenSSL RNG failing is not expected; fall back to a per-thread PRNG.
      std::mt19937_64 engine{std::random_device{}()};
      for (auto& x : bytes_) x = static_cast<std::uint8_t>(engine());
    }
    pos_ = 0;
    generation_ = gen;
  }

  std::uint8_t bytes_[4096];
  size_t pos_ = sizeof bytes_;
  unsigned generation_ = 0;
};

}  // namespace

void make_uuid(char (&out)[36]) {
  thread_local random_pool pool;
  std::uint8_t b[16];
  const std::uint8_t* r = pool.take16();
  for (int i = 0; i < 16; ++i) b[i] = r[i];
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  static const char* hex = "0123456789abcdef";
  size_t o = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
    out[o++] = hex[b[i] >> 4];
    out[o++] = hex[b[i] & 15];
  }
}

std::string make_uuid() {
  char text[36];
  make_uuid(text);
  return std::string(text, sizeof text);
}

}  // namespace hookshot
