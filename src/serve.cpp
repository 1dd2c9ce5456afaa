#include <malloc.h>

#include <csignal>
#include <cstdio>

#include "actors/api.hpp"
#include "actors/engine.hpp"
#include "actors/ingest.hpp"
#include "net/http_server.hpp"
#include "src/commands.hpp"
#include "web/assets.hpp"

// gperftools' tcmalloc, when the binary is linked with it (CMakeLists.txt): gives the free
// memory it holds back to the system. Null in builds without it (sanitizers).
extern "C" void MallocExtension_ReleaseFreeMemory() __attribute__((weak));

namespace hookshot::cli {
namespace {

// Hands memory the process no longer uses back to the system, whichever malloc it runs on.
void release_free_memory() {
  if (MallocExtension_ReleaseFreeMemory) MallocExtension_ReleaseFreeMemory();
  else malloc_trim(0);
}

const char* kHelp =
    "usage: hookshot serve [--config FILE]\n"
    "Runs the delivery engine on the config's `listen` address: POST /v1/events (intake),\n"
    "/client/api (CloudStack's webhook API), GET / (the web page), GET /healthz, GET /metrics\n"
    "(Prometheus). Without --config it runs on the built-in defaults (127.0.0.1:8080, data in\n"
    "./hookshot-data, no tenants). SIGTERM or SIGINT stop intake, let attempts on the wire\n"
    "finish within webhook.delivery.timeout, and exit 0; pending deliveries resume at the\n"
    "next start.\n";

// A file of the web page, with headers that keep it to its own origin: scripts, styles and
// API calls from this server only, no framing, no referrer, no MIME sniffing.
net::outgoing_response web_response(const web::asset& a) {
  net::outgoing_response r;
  r.content_type = std::string(a.content_type);
  r.body = std::string(a.body);
  r.headers = {{"Content-Security-Policy",
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "no-referrer"},
               {"Cache-Control", "no-cache"}};
  return r;
}

}  // namespace

int serve(const args& a) {
  if (wants_help(a)) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  std::string config_path;
  for (size_t i = 0; i < a.size(); ++i) {
    if (take_flag(a, i, "--config", config_path)) continue;
    std::fprintf(stderr, "hookshot serve: unknown argument '%s'\n\n%s", a[i].c_str(), kHelp);
    return 2;
  }
  block_stop_signals();
  // A file-size limit (ulimit -f) must fail a write with EFBIG, like a full disk, not kill us.
  std::signal(SIGXFSZ, SIG_IGN);

  auto cfg = config_path.empty() ? result<config::config>(config::default_config())
                                 : config::load_config(config_path);
  if (!cfg) {
    std::fprintf(stderr, "hookshot: invalid config: %s\n", cfg.error().message().c_str());
    return 1;
  }
  auto eng = actors::engine::start(*cfg);
  if (!eng) {
    std::fprintf(stderr, "hookshot: cannot start: %s\n", eng.error().message().c_str());
    return 1;
  }
  std::vector<config::webhook_decl>().swap(cfg->webhooks);  // the engine has applied them
  // Start-up parsed the config and loaded every webhook and pending delivery into temporary
  // structures; hand that memory back instead of keeping it resident.
  release_free_memory();
  actors::ingest_endpoint intake(**eng, *cfg);
  actors::api_endpoint api(**eng, (*eng)->cfg());
  net::server_options opts;
  opts.listen = cfg->listen;
  opts.body_limit = static_cast<std::uint64_t>(cfg->values.get_int("ingest.max.body.bytes"));
  net::http_server server(opts, [&](net::incoming_request&& req, net::responder respond) {
    std::string path = req.path();
    if (path == "/v1/events") return intake.handle(std::move(req), std::move(respond));
    if (path == "/client/api") return api.handle(std::move(req), std::move(respond));
    if ((req.method == "GET" || req.method == "HEAD") && web::find_asset(path))
      return respond(web_response(*web::find_asset(path)));
    if (path == "/metrics" && (req.method == "GET" || req.method == "HEAD")) {
      net::outgoing_response r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = (*eng)->metrics_text();
      return respond(std::move(r));
    }
    if (path == "/healthz") {
      net::outgoing_response r;
      r.body = "{\"status\":\"ok\",\"pending\":" + std::to_string((*eng)->pending()) + "}";
      return respond(std::move(r));
    }
    respond(actors::json_error(404, "no such endpoint: " + path));
  });
  status st = server.start();
  if (!st) {
    std::fprintf(stderr, "hookshot: %s\n", st.message().c_str());
    return 1;
  }
  const auto& rep = (*eng)->report();
  std::printf(
      "hookshot: listening on %s (data %s, durability %s); %zu webhooks, %zu declared "
      "changed, %zu pending deliveries recovered, %zu HTTP threads\n",
      cfg->listen.c_str(), cfg->data_dir.c_str(), cfg->fsync ? "fsync" : "os", rep.webhooks,
      rep.declared_changed, rep.pending, rep.http_threads);
  std::fflush(stdout);

  const char* sig = wait_for_stop_signal();
  std::printf("hookshot: %s received, stopping\n", sig);
  std::fflush(stdout);
  server.stop();
  (*eng)->shutdown(cfg->values.get_int("webhook.delivery.timeout") * 1000);
  std::string summary = (*eng)->storage_summary();
  eng->reset();
  std::printf("hookshot: stopped (%s)\n", summary.c_str());
  return 0;
}

}  // namespace hookshot::cli
