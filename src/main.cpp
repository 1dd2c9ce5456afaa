// hookshot: a webhook delivery engine speaking Apache CloudStack's webhook contract.

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstring>

#include "src/commands.hpp"

namespace {

const char* kUsage =
    "usage: hookshot COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  serve [--config FILE]   run the delivery engine (intake, API, deliveries)\n"
    "  check-config FILE       validate a config file and exit\n"
    "  sink [--listen ADDR]    a fast loopback receiver for demos and benchmarks\n"
    "  deliveries --data-dir DIR   print stored webhooks, pending counts and delivery records\n"
    "  bench [--quick]         measure the engine end to end against baselines\n"
    "  api COMMAND [k=v ...]   a signed CloudStack API request (listWebhooks, ...)\n"
    "\n"
    "'hookshot COMMAND --help' describes each command's flags.\n";

}  // namespace

namespace hookshot::cli {

bool wants_help(const args& a) {
  for (const auto& s : a)
    if (s == "-h" || s == "--help") return true;
  return false;
}

bool take_flag(const args& a, size_t& i, const std::string& name, std::string& value) {
  const std::string& s = a[i];
  if (s == name) {
    if (i + 1 >= a.size()) {
      std::fprintf(stderr, "hookshot: %s needs a value\n", name.c_str());
      std::exit(2);
    }
    value = a[++i];
    return true;
  }
  if (s.rfind(name + "=", 0) == 0) {
    value = s.substr(name.size() + 1);
    return true;
  }
  return false;
}

namespace {

sigset_t stop_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void block_stop_signals() {
  sigset_t set = stop_signal_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

const char* wait_for_stop_signal() {
  sigset_t set = stop_signal_set();
  int sig = 0;
  sigwait(&set, &sig);
  return sig == SIGTERM ? "SIGTERM" : "SIGINT";
}

}  // namespace hookshot::cli

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::string command = argv[1];
  hookshot::cli::args rest(argv + 2, argv + argc);
  int rc = 2;
  if (command == "serve")
    rc = hookshot::cli::serve(rest);
  else if (command == "check-config")
    rc = hookshot::cli::check_config(rest);
  else if (command == "sink")
    rc = hookshot::cli::sink(rest);
  else if (command == "deliveries")
    rc = hookshot::cli::deliveries(rest);
  else if (command == "bench")
    rc = hookshot::cli::bench(rest);
  else if (command == "api")
    rc = hookshot::cli::api(rest);
  else
    std::fprintf(stderr, "hookshot: unknown command '%s'\n\n%s", command.c_str(), kUsage);
  curl_global_cleanup();
  return rc;
}
