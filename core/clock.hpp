#pragma once

// Injected time and randomness, so retry logic is tested deterministically.

#include <chrono>
#include <cstdint>

namespace hookshot {

/// Milliseconds since the Unix epoch, the unit of every stored timestamp.
using millis = std::int64_t;

/// Wall-clock source. The production clock reads the system clock; tests use manual_clock.
/// Thread safety: implementations must be safe to call from any thread.
class clock_source {
 public:
  virtual ~clock_source() = default;
  virtual millis now_ms() const = 0;
};

class system_clock_source final : public clock_source {
 public:
  millis now_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
};

/// A clock that moves only when told to. Not thread-safe; for single-threaded tests.
class manual_clock final : public clock_source {
 public:
  explicit manual_clock(millis start = 0) : now_(start) {}
  millis now_ms() const override { return now_; }
  void advance(millis delta) { now_ += delta; }
  void set(millis t) { now_ = t; }

 private:
  millis now_;
};

/// Source of uniform doubles in [0, 1), for jitter. Seeded, so a test can replay it.
class random_source {
 public:
  virtual ~random_source() = default;
  virtual double uniform() = 0;
};

/// SplitMix64: 8 bytes of state (one per webhook actor, so size matters), good enough for
/// jitter, not for secrets.
class seeded_random final : public random_source {
 public:
  explicit seeded_random(std::uint64_t seed) : state_(seed) {}
  double uniform() override {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;  // 53 random bits in [0, 1)
  }

 private:
  std::uint64_t state_;
};

}  // namespace hookshot
