#pragma once

// The baselines a scenario is compared with, measured in the same run against the same sink
// with the same body and headers:
//   raw-curl         our curl-multi loop with no engine around it: the same number of loop
//                    threads and the same in-flight cap as the engine (our HTTP stack's limit);
//   wrk              wrk -t1 with a POST script, when installed (any HTTP/1.1 client's limit);
//   cloudstack-pool  5 threads doing blocking POSTs, the way CloudStack delivers.
// Each runs closed-loop (a finished request starts the next) for a fixed time.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/request.hpp"

namespace hookshot::bench {

struct baseline_result {
  std::string name;
  double per_s = 0;
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;  // transport errors and non-2xx answers
  double cpu_us_per_request = 0;  // raw-curl: its loop threads' CPU per request (0: not measured)
  double receiver_cpu_us_per_request = 0;  // raw-curl: the receiver's CPU per request (0: not measured)
  double switches_per_request = 0;  // raw-curl: its loop threads' context switches per request
  double receiver_connections = 0;  // raw-curl: connections the receiver got its requests over
};

/// Two runs of one baseline as one: their mean rate and connections, their requests and errors
/// summed, CPU and switches per request (the loops' and the receiver's) over both. Named as `b`.
baseline_result taken_together(const baseline_result& a, const baseline_result& b);

/// Our HTTP loops (net::http_client) alone in a closed loop for `seconds`: `threads` loops,
/// `in_flight` requests outstanding in all, each loop's receiver share adaptive or not. The
/// CPU of the process `receiver` (0: none) is measured over the same span as the loops'.
/// `ca_file`, for an https `url`: verify the receiver's certificate (chain and host) against
/// it, as a webhook with sslverification does (empty: no verification).
baseline_result run_raw_curl(const std::string& url, const std::string& body,
                             const header_list& headers, size_t threads, size_t in_flight,
                             bool adaptive, double seconds, pid_t receiver = 0,
                             const std::string& ca_file = "");

baseline_result run_cloudstack_pool(const std::string& url, const std::string& body,
                                    const header_list& headers, double seconds,
                                    size_t threads = 5);

/// Nothing when wrk is not installed.
std::optional<baseline_result> run_wrk(const std::string& url, const std::string& body,
                                       const header_list& headers, size_t connections,
                                       double seconds, const std::string& work_dir);

}  // namespace hookshot::bench
