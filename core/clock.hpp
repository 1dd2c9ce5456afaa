#pragma once

// Injected time and randomness, so retry logic is tested deterministically.

#include <chrono>
#include <cstdint>
#include <random>

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

class seeded_random final : public random_source {
 public:
  explicit seeded_random(std::uint64_t seed) : engine_(seed) {}
  double uniform() override { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace hookshot
