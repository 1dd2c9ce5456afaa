#include "bench/machine.hpp"

#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <thread>

namespace hookshot::bench {
namespace {

double clock_us(clockid_t id) {
  timespec t{};
  clock_gettime(id, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

// Wall µs per system call: getppid through syscall(), which no library caches.
double syscall_cost_us() {
  constexpr int kCalls = 200000;
  double t0 = clock_us(CLOCK_MONOTONIC);
  for (int i = 0; i < kCalls; ++i) syscall(SYS_getppid);
  return (clock_us(CLOCK_MONOTONIC) - t0) / kCalls;
}

// Two threads hand a token back and forth through two eventfds, each blocking in read until
// the other writes: every hand-over wakes a sleeping thread. Wall and CPU (both threads) per
// wake-up; zeros if an eventfd cannot be made.
std::pair<double, double> wake_cost_us() {
  constexpr int kRounds = 20000;
  int ping = eventfd(0, EFD_CLOEXEC), pong = eventfd(0, EFD_CLOEXEC);
  if (ping < 0 || pong < 0) {
    if (ping >= 0) close(ping);
    if (pong >= 0) close(pong);
    return {0, 0};
  }
  double other_cpu = 0;
  std::thread other([&] {
    double c0 = clock_us(CLOCK_THREAD_CPUTIME_ID);
    std::uint64_t v = 0;
    for (int i = 0; i < kRounds; ++i)
      if (read(ping, &v, sizeof v) != sizeof v || write(pong, &v, sizeof v) != sizeof v) break;
    other_cpu = clock_us(CLOCK_THREAD_CPUTIME_ID) - c0;
  });
  double t0 = clock_us(CLOCK_MONOTONIC), c0 = clock_us(CLOCK_THREAD_CPUTIME_ID);
  std::uint64_t v = 1;
  for (int i = 0; i < kRounds; ++i)
    if (write(ping, &v, sizeof v) != sizeof v || read(pong, &v, sizeof v) != sizeof v) break;
  double wall = clock_us(CLOCK_MONOTONIC) - t0, cpu = clock_us(CLOCK_THREAD_CPUTIME_ID) - c0;
  other.join();
  close(ping);
  close(pong);
  constexpr double kWakes = 2.0 * kRounds;
  return {wall / kWakes, (cpu + other_cpu) / kWakes};
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// "2 cores, Intel(R) Xeon(R) Processor, Linux 6.1.0-...".
std::string machine_description() {
  std::string model = "unknown CPU";
  std::ifstream cpu("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpu, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  utsname u{};
  uname(&u);
  return std::to_string(std::thread::hardware_concurrency()) + " cores, " + model + ", " +
         u.sysname + " " + u.release;
}

}  // namespace

machine measure_machine() {
  machine m;
  m.description = machine_description();
  m.syscall_us = syscall_cost_us();
  auto [wall, cpu] = wake_cost_us();
  m.wake_us = wall;
  m.wake_cpu_us = cpu;
  return m;
}

std::string machine::summary() const {
  return description + "; a system call " + fmt("%.2f", syscall_us) + " \u00b5s, a wake-up " +
         fmt("%.1f", wake_us) + " \u00b5s (" + fmt("%.1f", wake_cpu_us) + " \u00b5s CPU)";
}

}  // namespace hookshot::bench
