#pragma once

// What the benchmark harness does to the world outside itself: child processes (the engine
// and the sinks are this same binary), their CPU and memory, and small blocking HTTP calls.
// Loopback only.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.hpp"
#include "net/blocking_http.hpp"

namespace hookshot::bench {

using net::http_get;
using net::http_post;

/// A child process started from this binary (or another build's), stopped (SIGTERM, then
/// SIGKILL) when destroyed.
class child {
 public:
  /// Runs `exe args...` (`exe` empty: this binary, /proc/self/exe) with stdout and stderr
  /// appended to `log_file`. An `exe` that cannot be run exits 127 with the reason in the log.
  static result<child> spawn(const std::vector<std::string>& args, const std::string& log_file,
                             const std::string& exe = "");
  child() = default;
  child(child&& o) noexcept;
  child& operator=(child&& o) noexcept;
  ~child();

  pid_t pid() const { return pid_; }
  /// False once the process has exited (it stays to be reaped by stop()).
  bool running() const;
  /// SIGTERM, wait up to `timeout_ms`, then SIGKILL. Returns the exit code (-signal if killed).
  int stop(long timeout_ms = 30000);
  /// SIGKILL without waiting for anything else.
  void kill9();

  /// User + system CPU seconds so far.
  double cpu_seconds() const;
  /// Peak resident set (VmHWM) and current resident set (VmRSS), in KiB.
  long peak_rss_kib() const;
  long rss_kib() const;
  /// Resident anonymous memory (RssAnon): the heap, without the LMDB file pages that VmRSS
  /// also counts (those are page cache the kernel may reclaim).
  long anon_kib() const;

 private:
  pid_t pid_ = -1;
};

/// User + system CPU seconds a live process (this one: getpid()) has used so far.
double process_cpu_seconds(pid_t pid);

/// What a process's threads have used so far, summed by role.
struct thread_usage {
  double cpu_seconds = 0;  // user + system
  double switches = 0;     // context switches, voluntary (waits) and not (preempted)
  // Page faults, minor and major: first touches of new memory, and of the data file's pages
  // through LMDB's map (with a writable map every page the store grows into is one, filled
  // with zeros by the kernel before LMDB writes it).
  double faults = 0;
  // Bytes handed to write calls, from /proc/<pid>/task/<tid>/io (files and sockets alike:
  // the writer's are its pwrite of LMDB pages; a writable map's stores are not counted).
  double written_bytes = 0;
};
/// The usage of a live process's threads by role, from the thread names the engine gives
/// them: "http" (hs-http), "writer" (hs-writer), "intake" (hs-server), "actors" (CAF's
/// workers), "other". Threads that have exited are not counted.
std::map<std::string, thread_usage> thread_usage_by_role(pid_t pid);

/// A free TCP port on 127.0.0.1 (bound and released; fine on a quiet loopback).
std::uint16_t free_port();

/// Polls `url` until it answers 200 or `timeout_ms` passes, or `server` (when given) has
/// exited: a server that refuses its config is not waited for.
bool wait_until_up(const std::string& url, long timeout_ms, const child* server = nullptr);

/// Why `server` (named `what`, logging to `log_name`) is not up after wait_until_up failed:
/// "the sink exited at start (see x-sink.log)" or "... did not start (see ...)".
status not_started(const std::string& what, const child& server, const std::string& log_name);

/// Wall-clock microseconds since the epoch (what events carry as "sent_us").
std::int64_t wall_us();
/// Monotonic seconds, for durations.
double mono_seconds();
/// The calling thread's CPU (user + system), in seconds: /proc's per-thread figures count
/// clock ticks, too coarse for a run of a few seconds.
double thread_cpu_seconds();

}  // namespace hookshot::bench
