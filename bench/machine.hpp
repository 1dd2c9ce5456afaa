#pragma once

// The machine a run measured: what it is (cores, CPU model, kernel) and what it charges for
// the two operations every delivery repeats, a system call and the hand-over of work to a
// sleeping thread. Virtual machines that report the same CPU model differ by an order of
// magnitude in both (docs/benchmarks.md: a system call 0.07 µs on one guest, 1.1 µs on
// another), and so do raw-curl's rate and every ratio to it: results are comparable across
// runs only where these are alike.

#include <string>

namespace hookshot::bench {

struct machine {
  std::string description;  // "2 cores, Intel(R) Xeon(R) Processor, Linux 6.1.0-..."
  double syscall_us = 0;    // one system call (getppid), wall time
  double wake_us = 0;       // waking a thread blocked on an eventfd: half a ping-pong round
                            // trip between two threads the scheduler places, wall time
  double wake_cpu_us = 0;   // the CPU both threads spend per wake-up (calls, switches, idle
                            // exits on the other core)

  /// "2 cores, ...; a system call 0.07 µs, a wake-up 10.2 µs (7.1 µs CPU)".
  std::string summary() const;
};

/// The machine's description and costs, measured now (about 0.1-1 s: 200,000 system calls
/// and 20,000 ping-pong round trips).
machine measure_machine();

}  // namespace hookshot::bench
