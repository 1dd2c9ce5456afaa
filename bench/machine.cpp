#include "bench/machine.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <fstream>
#include <thread>

#include "bench/processes.hpp"

namespace hookshot::bench {
namespace {

// Wall µs per system call: getppid through syscall(), which no library caches.
double syscall_cost_us() {
  constexpr int kCalls = 200000;
  double t0 = mono_seconds();
  for (int i = 0; i < kCalls; ++i) syscall(SYS_getppid);
  return (mono_seconds() - t0) * 1e6 / kCalls;
}

// Pins the calling thread to `cpu` (-1: leaves it as it is).
void pin_to(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

// Two threads hand a token back and forth through two eventfds, each blocking in read until
// the other writes: every hand-over wakes a sleeping thread. The threads are pinned (this one
// to `here`, the other to `there`, and this one's mask put back after), because where the
// scheduler places them decides the figure: on one core a hand-over is a switch, to another
// core it is an interrupt and that core's return from idle, ten or more times dearer.
// Wall and CPU (both threads) per hand-over; zeros if an eventfd cannot be made.
std::pair<double, double> handover_cost_us(int here, int there) {
  constexpr int kRounds = 20000;
  int ping = eventfd(0, EFD_CLOEXEC), pong = eventfd(0, EFD_CLOEXEC);
  if (ping < 0 || pong < 0) {
    if (ping >= 0) close(ping);
    if (pong >= 0) close(pong);
    return {0, 0};
  }
  cpu_set_t saved;
  bool restore = pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) == 0;
  pin_to(here);
  double other_cpu = 0;
  std::thread other([&] {
    pin_to(there);
    double c0 = thread_cpu_seconds();
    std::uint64_t v = 0;
    for (int i = 0; i < kRounds; ++i)
      if (read(ping, &v, sizeof v) != sizeof v || write(pong, &v, sizeof v) != sizeof v) break;
    other_cpu = thread_cpu_seconds() - c0;
  });
  double t0 = mono_seconds(), c0 = thread_cpu_seconds();
  std::uint64_t v = 1;
  for (int i = 0; i < kRounds; ++i)
    if (write(ping, &v, sizeof v) != sizeof v || read(pong, &v, sizeof v) != sizeof v) break;
  double wall = mono_seconds() - t0, cpu = thread_cpu_seconds() - c0;
  other.join();
  if (restore) pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
  close(ping);
  close(pong);
  constexpr double kHandovers = 2.0 * kRounds;
  return {wall * 1e6 / kHandovers, (cpu + other_cpu) * 1e6 / kHandovers};
}

// The first two CPUs this process may run on (-1 where there is none).
std::pair<int, int> two_cpus() {
  cpu_set_t set;
  std::pair<int, int> out{-1, -1};
  if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
  for (int cpu = 0; cpu < CPU_SETSIZE && out.second < 0; ++cpu) {
    if (!CPU_ISSET(cpu, &set)) continue;
    (out.first < 0 ? out.first : out.second) = cpu;
  }
  return out;
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

// The first word of the file at `path` ("" when it cannot be read).
std::string first_word(const std::string& path) {
  std::ifstream in(path);
  std::string word;
  in >> word;
  return word;
}

// A count read from `path`: a file of digits, as sysfs writes them (0 otherwise).
long long read_count(const std::string& path) {
  std::string word = first_word(path);
  const char* end = word.data() + word.size();
  long long n = 0;
  auto [stop, ec] = std::from_chars(word.data(), end, n);
  return ec == std::errc() && stop == end && n > 0 ? n : 0;
}

}  // namespace

double memory_monitor_interval_ms(const std::string& admin_dir) {
  double shortest = 0;
  const std::string kdamonds = admin_dir + "/kdamonds/";
  for (long long k = 0, n = read_count(kdamonds + "nr_kdamonds"); k < n; ++k) {
    const std::string kdamond = kdamonds + std::to_string(k) + "/";
    if (first_word(kdamond + "state") != "on") continue;
    const std::string contexts = kdamond + "contexts/";
    for (long long c = 0, nc = read_count(contexts + "nr_contexts"); c < nc; ++c) {
      long long us = read_count(contexts + std::to_string(c) + "/monitoring_attrs/intervals/sample_us");
      if (us > 0 && (shortest == 0 || us / 1000.0 < shortest)) shortest = us / 1000.0;
    }
  }
  return shortest;
}

machine measure_machine() {
  machine m;
  m.description = machine_description();
  m.memory_monitor_ms = memory_monitor_interval_ms();
  m.syscall_us = syscall_cost_us();
  auto [first, second] = two_cpus();
  m.switch_us = handover_cost_us(first, first).first;
  if (second >= 0) {
    auto [wall, cpu] = handover_cost_us(first, second);
    m.wake_us = wall;
    m.wake_cpu_us = cpu;
  }
  return m;
}

}  // namespace hookshot::bench
