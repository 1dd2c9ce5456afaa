#include "bench/baselines.hpp"

#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <memory>
#include <regex>
#include <thread>
#include <unistd.h>

#include "bench/processes.hpp"
#include "net/blocking_http.hpp"
#include "net/http_client.hpp"

namespace hookshot::bench {

baseline_result taken_together(const baseline_result& a, const baseline_result& b) {
  baseline_result both = b;
  both.per_s = (a.per_s + b.per_s) / 2;
  both.receiver_connections = (a.receiver_connections + b.receiver_connections) / 2;
  both.requests = a.requests + b.requests;
  both.errors = a.errors + b.errors;
  auto over_both = [&](double baseline_result::*per_request) {
    if (both.requests > 0)
      both.*per_request = (a.*per_request * static_cast<double>(a.requests) +
                           b.*per_request * static_cast<double>(b.requests)) /
                          static_cast<double>(both.requests);
  };
  over_both(&baseline_result::cpu_us_per_request);
  over_both(&baseline_result::receiver_cpu_us_per_request);
  over_both(&baseline_result::switches_per_request);
  return both;
}

baseline_result run_raw_curl(const std::string& url, const std::string& body,
                             const header_list& headers, size_t threads, size_t in_flight,
                             bool adaptive, double seconds, pid_t receiver,
                             const std::string& ca_file) {
  system_clock_source clock;
  net::engine_options opts;
  opts.ca_file = ca_file;
  opts.max_in_flight = std::max<size_t>(1, in_flight / std::max<size_t>(1, threads));
  opts.adaptive = adaptive;
  opts.max_response_bytes = 0;
  std::vector<std::unique_ptr<net::http_client>> loops;
  for (size_t i = 0; i < threads; ++i) loops.push_back(std::make_unique<net::http_client>(opts, clock));
  auto shared_body = std::make_shared<const std::string>(body);
  std::atomic<std::uint64_t> ok{0}, errors{0};
  std::atomic<bool> running{true};
  double started = mono_seconds();
  // Each completion starts the next request on the same loop until time is up.
  std::function<void(size_t)> send_one = [&](size_t loop) {
    net::http_request r;
    r.url = url;
    r.headers = headers;
    r.body = shared_body;
    r.timeout_ms = 10000;
    r.verify_tls = !ca_file.empty();
    r.done = [&, loop](attempt_outcome&& o) {
      (o.success() ? ok : errors).fetch_add(1, std::memory_order_relaxed);
      if (running.load(std::memory_order_relaxed)) send_one(loop);
    };
    loops[loop]->submit(std::move(r));
  };
  thread_usage loops0 = thread_usage_by_role(getpid())["http"];
  double receiver_cpu0 = receiver ? process_cpu_seconds(receiver) : 0;
  for (size_t i = 0; i < opts.max_in_flight * threads; ++i) send_one(i % threads);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  std::uint64_t done = ok.load() + errors.load();
  double elapsed = mono_seconds() - started;
  thread_usage loops1 = thread_usage_by_role(getpid())["http"];  // loops still alive
  double receiver_cpu = receiver ? process_cpu_seconds(receiver) - receiver_cpu0 : 0;
  running = false;
  for (auto& l : loops) l->stop(2000);
  baseline_result r{"raw-curl", static_cast<double>(done) / elapsed, done, errors.load()};
  r.cpu_us_per_request = done ? (loops1.cpu_seconds - loops0.cpu_seconds) * 1e6 / static_cast<double>(done) : 0;
  r.switches_per_request = done ? (loops1.switches - loops0.switches) / static_cast<double>(done) : 0;
  r.receiver_cpu_us_per_request = done ? receiver_cpu * 1e6 / static_cast<double>(done) : 0;
  return r;
}

baseline_result run_cloudstack_pool(const std::string& url, const std::string& body,
                                    const header_list& headers, double seconds, size_t threads) {
  std::atomic<std::uint64_t> ok{0}, errors{0};
  double started = mono_seconds();
  double deadline = started + seconds;
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      std::vector<std::string> lines;
      for (const auto& [n, v] : headers.fields()) lines.push_back(std::string(n) + ": " + std::string(v));
      net::keepalive_poster poster(url, lines, 10000);
      while (mono_seconds() < deadline) {
        long code = poster.post(body);
        (code >= 200 && code < 300 ? ok : errors).fetch_add(1);
      }
    });
  }
  for (auto& t : pool) t.join();
  double elapsed = mono_seconds() - started;
  std::uint64_t done = ok.load() + errors.load();
  return {"cloudstack-pool", static_cast<double>(done) / elapsed, done, errors.load()};
}

std::optional<baseline_result> run_wrk(const std::string& url, const std::string& body,
                                       const header_list& headers, size_t connections,
                                       double seconds, const std::string& work_dir) {
  if (std::system("command -v wrk >/dev/null 2>&1") != 0) return std::nullopt;
  std::string script = work_dir + "/post.lua";
  {
    std::ofstream f(script);
    f << "wrk.method = \"POST\"\n";
    for (const auto& [n, v] : headers.fields())
      f << "wrk.headers[" << boost::json::serialize(boost::json::value(n)) << "] = "
        << boost::json::serialize(boost::json::value(v)) << "\n";
    f << "wrk.body = " << boost::json::serialize(boost::json::value(body)) << "\n";
  }
  std::string cmd = "wrk -t1 -c" + std::to_string(connections) + " -d" +
                    std::to_string(static_cast<int>(std::max(1.0, seconds))) + "s -s " + script +
                    " " + url + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  pclose(p);
  std::smatch m;
  baseline_result r{"wrk", 0, 0, 0};
  if (std::regex_search(out, m, std::regex(R"(Requests/sec:\s+([\d.]+))"))) r.per_s = std::stod(m[1]);
  if (std::regex_search(out, m, std::regex(R"((\d+) requests in)"))) r.requests = std::stoull(m[1]);
  if (std::regex_search(out, m, std::regex(R"(Non-2xx or 3xx responses: (\d+))")))
    r.errors = std::stoull(m[1]);
  if (r.per_s == 0) return std::nullopt;
  return r;
}

}  // namespace hookshot::bench
