#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "bench/fast_sink.hpp"
#include "src/commands.hpp"

namespace hookshot::cli {
namespace {

const char* kHelp =
    "usage: hookshot sink [--listen ADDR] [--status CODE] [--delay-ms N] [--fail-ratio R]\n"
    "                     [--threads N] [--tls-cert FILE --tls-key FILE] [--quiet]\n"
    "A fast HTTP receiver for demos and benchmarks. Answers every POST with CODE (default 200)\n"
    "after N milliseconds (default 0).\n"
    "  --listen ADDR     IPv4 host:port to listen on (default 127.0.0.1:9090; port 0 = any)\n"
    "  --status CODE     HTTP status to answer with\n"
    "  --delay-ms N      wait before answering (other requests are not held up)\n"
    "  --fail-ratio R    answer this share of requests (0..1, evenly spread) with 500\n"
    "  --threads N       event-loop threads sharing the port (default 1)\n"
    "  --tls-cert FILE   with --tls-key: serve TLS too, on the same port; a connection that\n"
    "  --tls-key FILE    opens with a TLS handshake gets TLS, any other plain HTTP (PEM files)\n"
    "  --quiet           do not print requests; print the running count each second\n"
    "GET /stats answers the counters and, for bodies carrying \"sent_us\":<epoch µs>, the\n"
    "arrival latency percentiles, and the connections that carried deliveries (of them over\n"
    "TLS); POST /stats/reset zeroes them. Stops on SIGINT or SIGTERM, printing the total.\n";

bool parse_number(const std::string& text, double lo, double hi, double& out) {
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0' && out >= lo && out <= hi;
}

}  // namespace

int sink(const args& a) {
  if (wants_help(a)) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  std::string listen = "127.0.0.1:9090", status_text = "200", delay_text = "0", fail_text = "0",
              threads_text = "1", tls_cert, tls_key;
  bool quiet = false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (take_flag(a, i, "--listen", listen) || take_flag(a, i, "--status", status_text) ||
        take_flag(a, i, "--delay-ms", delay_text) || take_flag(a, i, "--fail-ratio", fail_text) ||
        take_flag(a, i, "--threads", threads_text) || take_flag(a, i, "--tls-cert", tls_cert) ||
        take_flag(a, i, "--tls-key", tls_key))
      continue;
    if (a[i] == "--quiet") {
      quiet = true;
      continue;
    }
    std::fprintf(stderr, "hookshot sink: unknown argument '%s'\n\n%s", a[i].c_str(), kHelp);
    return 2;
  }
  double code = 0, delay = 0, fail = 0, threads = 0;
  if (!parse_number(status_text, 100, 599, code)) {
    std::fprintf(stderr, "hookshot sink: --status must be an HTTP status (100-599)\n");
    return 2;
  }
  if (!parse_number(delay_text, 0, 3600000, delay)) {
    std::fprintf(stderr, "hookshot sink: --delay-ms must be a non-negative integer\n");
    return 2;
  }
  if (!parse_number(fail_text, 0, 1, fail)) {
    std::fprintf(stderr, "hookshot sink: --fail-ratio must be between 0 and 1\n");
    return 2;
  }
  if (!parse_number(threads_text, 1, 64, threads)) {
    std::fprintf(stderr, "hookshot sink: --threads must be between 1 and 64\n");
    return 2;
  }
  if (tls_cert.empty() != tls_key.empty()) {
    std::fprintf(stderr, "hookshot sink: --tls-cert and --tls-key go together\n");
    return 2;
  }
  block_stop_signals();

  std::mutex print_mutex;
  bench::sink_options opts;
  opts.listen = listen;
  opts.status = static_cast<unsigned>(code);
  opts.delay_ms = static_cast<long>(delay);
  opts.fail_ratio = fail;
  opts.threads = static_cast<size_t>(threads);
  opts.tls_cert_file = tls_cert;
  opts.tls_key_file = tls_key;
  if (!quiet) {
    opts.on_request = [&](const std::string& request) {
      std::lock_guard lock(print_mutex);
      std::fwrite(request.data(), 1, request.size(), stdout);
      std::fputs("\n\n", stdout);
      std::fflush(stdout);
    };
  }
  bench::fast_sink server(opts);
  status st = server.start();
  if (!st) {
    std::fprintf(stderr, "hookshot sink: %s\n", st.message().c_str());
    return 1;
  }
  std::printf("hookshot sink: listening on %s, port %u (answering %u after %ld ms%s)\n",
              listen.c_str(), server.port(), opts.status, opts.delay_ms,
              tls_cert.empty() ? "" : "; TLS and plain HTTP");
  std::fflush(stdout);

  std::atomic<bool> done{false};
  std::thread reporter;
  if (quiet) {
    reporter = std::thread([&] {
      std::uint64_t last = 0;
      while (!done.load()) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        std::uint64_t now = server.stats().requests;
        if (now != last)
          std::printf("hookshot sink: %llu requests (+%llu/s)\n", static_cast<unsigned long long>(now),
                      static_cast<unsigned long long>(now - last));
        std::fflush(stdout);
        last = now;
      }
    });
  }
  wait_for_stop_signal();
  done = true;
  if (reporter.joinable()) reporter.join();
  server.stop();
  std::printf("hookshot sink: %llu requests received\n",
              static_cast<unsigned long long>(server.stats().requests));
  return 0;
}

}  // namespace hookshot::cli
