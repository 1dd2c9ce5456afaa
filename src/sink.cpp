#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "net/http_server.hpp"
#include "src/commands.hpp"

namespace hookshot::cli {
namespace {

const char* kHelp =
    "usage: hookshot sink [--listen ADDR] [--status CODE] [--delay-ms N] [--quiet]\n"
    "A fast HTTP receiver for demos and benchmarks. Answers every request with CODE\n"
    "(default 200) after N milliseconds (default 0).\n"
    "  --listen ADDR   host:port to listen on (default 127.0.0.1:9090)\n"
    "  --status CODE   HTTP status to answer with\n"
    "  --delay-ms N    wait before answering (does not block other requests)\n"
    "  --quiet         do not print requests; print a count each second instead\n"
    "Prints each request (method, path, headers, body) unless --quiet. Stops on SIGINT or\n"
    "SIGTERM, printing the total.\n";

}  // namespace

int sink(const args& a) {
  if (wants_help(a)) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  std::string listen = "127.0.0.1:9090", status_text = "200", delay_text = "0";
  bool quiet = false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (take_flag(a, i, "--listen", listen) || take_flag(a, i, "--status", status_text) ||
        take_flag(a, i, "--delay-ms", delay_text))
      continue;
    if (a[i] == "--quiet") {
      quiet = true;
      continue;
    }
    std::fprintf(stderr, "hookshot sink: unknown argument '%s'\n\n%s", a[i].c_str(), kHelp);
    return 2;
  }
  char* end = nullptr;
  long code = std::strtol(status_text.c_str(), &end, 10);
  if (*end || code < 100 || code > 599) {
    std::fprintf(stderr, "hookshot sink: --status must be an HTTP status (100-599)\n");
    return 2;
  }
  long delay = std::strtol(delay_text.c_str(), &end, 10);
  if (*end || delay < 0) {
    std::fprintf(stderr, "hookshot sink: --delay-ms must be a non-negative integer\n");
    return 2;
  }
  block_stop_signals();

  std::atomic<std::uint64_t> count{0};
  std::mutex print_mutex;
  net::server_options opts;
  opts.listen = listen;
  opts.threads = 1;
  opts.body_limit = 64u << 20;
  net::http_server* server_ptr = nullptr;
  net::http_server server(opts, [&](net::incoming_request&& req, net::responder respond) {
    count.fetch_add(1, std::memory_order_relaxed);
    if (!quiet) {
      std::lock_guard lock(print_mutex);
      std::printf("%s %s\n", req.method.c_str(), req.target.c_str());
      for (const auto& [n, v] : req.headers) std::printf("%s: %s\n", n.c_str(), v.c_str());
      std::printf("\n%s\n\n", req.body.c_str());
      std::fflush(stdout);
    }
    net::outgoing_response r;
    r.status = static_cast<unsigned>(code);
    r.content_type = "text/plain";
    if (delay == 0) return respond(std::move(r));
    server_ptr->post_after(delay, [respond = std::move(respond), r = std::move(r)]() mutable {
      respond(std::move(r));
    });
  });
  server_ptr = &server;
  status st = server.start();
  if (!st) {
    std::fprintf(stderr, "hookshot sink: %s\n", st.message().c_str());
    return 1;
  }
  std::printf("hookshot sink: listening on %s, port %u (answering %ld after %ld ms)\n",
              listen.c_str(), server.port(), code, delay);
  std::fflush(stdout);

  std::atomic<bool> done{false};
  std::thread reporter;
  if (quiet) {
    reporter = std::thread([&] {
      std::uint64_t last = 0;
      while (!done.load()) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        std::uint64_t now = count.load();
        if (now != last)
          std::printf("hookshot sink: %llu requests (+%llu/s)\n",
                      static_cast<unsigned long long>(now),
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
              static_cast<unsigned long long>(count.load()));
  return 0;
}

}  // namespace hookshot::cli
