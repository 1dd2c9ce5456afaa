#pragma once

// The machine a run measured: what it is (cores, CPU model, kernel) and what it charges for
// the two operations every delivery repeats, a system call and the hand-over of work to a
// sleeping thread (on its own core and on another). Virtual machines that report the same
// CPU model differ by an order of magnitude there (docs/benchmarks.md: a system call 0.07 µs
// on one guest, 1.1 µs on another), and so do raw-curl's rate and every ratio to it: results
// are comparable across runs only where these are alike. It also says whether the kernel runs
// a memory monitor that pauses the machine now and then (latency's tail, where one does).

#include <string>

namespace hookshot::bench {

struct machine {
  std::string description;  // "2 cores, Intel(R) Xeon(R) Processor, Linux 6.1.0-..."
  double syscall_us = 0;    // one system call (getppid), wall time
  // Handing work to a thread blocked on an eventfd (half a ping-pong round trip), wall time:
  double switch_us = 0;     // with both threads on one core: a context switch and its calls
  double wake_us = 0;       // to a thread on another core: an interrupt, and that core's
                            // return from idle (0: the process may use one core only)
  double wake_cpu_us = 0;   // the CPU both threads spend per hand-over to another core
  // How often the kernel's memory access monitor (DAMON, a kdamond thread) samples, in ms
  // (0: none running). Some guests run one to find cold memory to give back to the host; on
  // the one measured here each sample paused deliveries for 3-20 ms every 500 ms, which made
  // the half-rate latency's 99th percentile (docs/benchmarks.md).
  double memory_monitor_ms = 0;
};

/// The machine's description and costs, measured now (about 0.1-2 s: 200,000 system calls
/// and 20,000 ping-pong round trips on one core and across two). The threads are pinned for
/// it: unpinned, the scheduler's placement made the hand-over anything from 1 to 17 µs from
/// one run to the next on one machine.
machine measure_machine();

/// The shortest sampling interval (ms) of the DAMON monitors that are on, read from the
/// kernel's admin tree at `admin_dir` (kdamonds/N/state, kdamonds/N/contexts/M/
/// monitoring_attrs/intervals/sample_us); 0 when none is on or the tree is absent.
double memory_monitor_interval_ms(const std::string& admin_dir = "/sys/kernel/mm/damon/admin");

}  // namespace hookshot::bench
