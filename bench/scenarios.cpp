#include "bench/scenarios.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "bench/delivery_curve.hpp"
#include "bench/event_lines.hpp"
#include "bench/processes.hpp"
#include "bench/run_phases.hpp"
#include "bench/tls_identity.hpp"
#include "bench/trend.hpp"
#include "core/settings.hpp"
#include "core/signature.hpp"
#include "storage/lmdb_store.hpp"

namespace hookshot::bench {
namespace json = boost::json;
namespace {

constexpr const char* kSecret = "bench-secret";

size_t engine_loops() { return std::max(1u, std::thread::hardware_concurrency()); }

// Whether the engine's loops adapt each receiver's share (its default setting, as the engine
// runs here): raw-curl's loops do the same.
bool engine_adaptive() {
  return std::string_view(find_setting("webhook.delivery.pool.adaptive")->default_value) == "true";
}

// ---- the sink ------------------------------------------------------------------------------

struct sink_figures {
  std::uint64_t requests = 0, failed = 0;
  double p50 = 0, p99 = 0, max = 0;
  std::uint64_t pauses = 0;  // sink_stats::pauses
  double paused_ms = 0;
  std::uint64_t connections = 0, tls_connections = 0;  // sink_stats::connections
};

struct sink_process {
  child proc;
  std::uint16_t port = 0;
  std::string ca_file;  // the sink serves TLS with this certificate (empty: plain HTTP only)

  // A sink serving TLS as well, with a certificate made for this run (bench/tls_identity):
  // deliveries go to https:// and are verified against `ca_file`.
  static result<sink_process> start_tls(const bench_options& o, const std::string& tag) {
    auto id = make_tls_identity(o.work_dir);
    if (!id) return id.error();
    auto s = start(o, tag, {"--tls-cert", id->cert_file, "--tls-key", id->key_file});
    if (s) s->ca_file = id->cert_file;
    return s;
  }

  static result<sink_process> start(const bench_options& o, const std::string& tag,
                                    std::vector<std::string> flags, std::uint16_t port = 0) {
    sink_process s;
    s.port = port ? port : free_port();
    std::vector<std::string> args = {"sink", "--quiet", "--listen",
                                     "127.0.0.1:" + std::to_string(s.port)};
    args.insert(args.end(), flags.begin(), flags.end());
    auto c = child::spawn(args, o.work_dir + "/" + tag + "-sink.log");
    if (!c) return c.error();
    s.proc = std::move(*c);
    if (!wait_until_up(s.url("/stats"), 10000, &s.proc))
      return not_started("the sink", s.proc, tag + "-sink.log");
    return s;
  }

  // The sink's own requests (GET /stats) are plain HTTP.
  std::string url(const std::string& path) const { return at("http", path); }
  // Where deliveries go: https:// on a TLS sink.
  std::string delivery_url(const std::string& path) const {
    return at(ca_file.empty() ? "http" : "https", path);
  }
  std::string at(const char* scheme, const std::string& path) const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port) + path;
  }

  sink_figures figures() const {
    std::string body;
    sink_figures f;
    auto r = http_get(url("/stats"), &body);
    if (!r || *r != 200) return f;
    json::error_code ec;
    auto v = json::parse(body, ec);
    if (ec) return f;
    const auto& o = v.as_object();
    f.requests = o.at("requests").to_number<std::uint64_t>();
    f.failed = o.at("failed").to_number<std::uint64_t>();
    const auto& l = o.at("latency_ms").as_object();
    f.p50 = l.at("p50").to_number<double>();
    f.p99 = l.at("p99").to_number<double>();
    f.max = l.at("max").to_number<double>();
    f.pauses = o.at("pauses").to_number<std::uint64_t>();
    f.paused_ms = o.at("paused_ms").to_number<double>();
    f.connections = o.at("connections").to_number<std::uint64_t>();
    f.tls_connections = o.at("tls_connections").to_number<std::uint64_t>();
    return f;
  }

  void reset() const { http_post(url("/stats/reset"), "", {}); }
};

// ---- the engine ----------------------------------------------------------------------------

struct engine_process {
  child proc;
  std::uint16_t port = 0;
  std::string dir, config_path, tag;

  // Starts an engine on an empty data directory. Every run of a scenario (each round, each
  // engine of a comparison) starts from the same state: a round reusing the store of the one
  // before found its file grown, its pages free and in the page cache (none to fault in), and
  // the other build of a comparison would have opened this build's store.
  static result<engine_process> start(const bench_options& o, const std::string& tag,
                                      json::object config) {
    engine_process e;
    e.tag = tag;
    e.port = free_port();
    e.dir = o.work_dir + "/" + tag;
    std::error_code ec;
    std::filesystem::remove_all(e.data_dir(), ec);
    if (ec) return status::io_error("cannot empty " + e.data_dir() + ": " + ec.message());
    config["listen"] = "127.0.0.1:" + std::to_string(e.port);
    config["data_dir"] = e.data_dir();
    e.config_path = e.dir + ".json";
    std::ofstream(e.config_path) << json::serialize(config);
    status st = e.launch(o, 600000);
    if (!st) return st;
    return e;
  }

  status launch(const bench_options& o, long timeout_ms) {
    auto c = child::spawn({"serve", "--config", config_path}, o.work_dir + "/" + tag + "-serve.log",
                          o.engine);
    if (!c) return c.error();
    proc = std::move(*c);
    if (!wait_until_up(url("/healthz"), timeout_ms, &proc))
      return not_started("hookshot serve", proc, tag + "-serve.log");
    return status::ok();
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }
  /// Deliveries the engine still holds (GET /healthz); -1 when it does not answer.
  long pending() const {
    std::string body;
    auto code = http_get(url("/healthz"), &body);
    if (!code || *code != 200) return -1;
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("pending")) return -1;
    return static_cast<long>(v.as_object().at("pending").to_number<double>());
  }
  std::string data_dir() const { return dir + "-data"; }
};

// The sinks listen on loopback over http, which hookshot's SSRF defaults refuse.
json::object base_config(const std::string& durability, json::object settings) {
  settings.emplace("webhook.delivery.allow.http", true);
  settings.emplace("webhook.delivery.blocklist", "");
  settings.emplace("webhook.delivery.block.local.addresses", false);
  return json::object{{"durability", durability},
                      {"management_server", json::object{{"id", "bench"}, {"name", "bench"}}},
                      {"settings", std::move(settings)}};
}

// `n` user accounts acc-0..acc-(n-1), each with one signed Local webhook to the sink, plus a
// root admin owning nothing.
void add_local_webhooks(json::object& cfg, size_t n, const sink_process& sink) {
  json::array accounts{json::object{{"id", "acc-admin"}, {"name", "admin"}, {"domainid", "ROOT"},
                                    {"role", "Admin"}}};
  json::array hooks;
  for (size_t i = 0; i < n; ++i) {
    std::string id = "acc-" + std::to_string(i);
    accounts.push_back(json::object{{"id", id}, {"name", "user" + std::to_string(i)}, {"domainid", "ROOT"}});
    hooks.push_back(json::object{{"name", "w" + std::to_string(i)}, {"account", "user" + std::to_string(i)},
                                 {"scope", "Local"}, {"secretkey", kSecret},
                                 {"payloadurl", sink.delivery_url("/w" + std::to_string(i))},
                                 {"sslverification", !sink.ca_file.empty()}});
  }
  cfg["accounts"] = std::move(accounts);
  cfg["webhooks"] = std::move(hooks);
}

// `n` webhooks owned by the root admin; scopes alternate Global / Domain (at ROOT) when `mixed`.
void add_admin_webhooks(json::object& cfg, size_t n, const sink_process& sink, bool mixed) {
  cfg["accounts"] = json::array{json::object{{"id", "acc-admin"}, {"name", "admin"},
                                             {"domainid", "ROOT"}, {"role", "Admin"}}};
  json::array hooks;
  hooks.reserve(n);
  for (size_t i = 0; i < n; ++i)
    hooks.push_back(json::object{{"name", "w" + std::to_string(i)}, {"account", "admin"},
                                 {"scope", mixed && i % 2 ? "Domain" : "Global"}, {"secretkey", kSecret},
                                 {"payloadurl", sink.delivery_url("/w" + std::to_string(i))},
                                 {"sslverification", !sink.ca_file.empty()}});
  cfg["webhooks"] = std::move(hooks);
}

std::string event_json(const std::string& account, std::int64_t sent_us) {
  return event_lines({account}).line(0, sent_us);
}

// ---- progress ------------------------------------------------------------------------------

// One line rewritten in place on a terminal (twice a second at most); elsewhere a line every
// five seconds.
void progress(const bench_options& o, const std::string& text) {
  static double last = 0;
  static const bool tty = isatty(2);
  if (!o.progress) return;
  double now = mono_seconds();
  if (now - last < (tty ? 0.5 : 5.0)) return;
  last = now;
  std::fprintf(stderr, tty ? "\r\033[K%s" : "%s\n", text.c_str());
  std::fflush(stderr);
}

void progress_done(const bench_options& o) {
  if (o.progress && isatty(2)) std::fprintf(stderr, "\r\033[K");
}

// ---- intake --------------------------------------------------------------------------------

struct intake_result {
  std::uint64_t accepted = 0, refused = 0;
};

// Posts `total` events as NDJSON batches of `batch` over `connections` keep-alive
// connections, spreading owners over `accounts`. `rate` > 0 paces the whole intake to that many
// events per second. Each batch carries the time it was sent.
intake_result post_events(const std::string& url, size_t total, size_t batch, size_t connections,
                          const std::vector<std::string>& accounts, double rate,
                          const std::function<void(std::uint64_t)>& tick) {
  std::atomic<std::uint64_t> next{0}, accepted{0}, refused{0};
  const event_lines lines(accounts);
  double started = mono_seconds();
  std::vector<std::thread> posters;
  for (size_t c = 0; c < connections; ++c) {
    posters.emplace_back([&] {
      net::keepalive_poster poster(url, {"Content-Type: application/x-ndjson"}, 120000);
      std::string body;
      for (;;) {
        std::uint64_t first = next.fetch_add(batch);
        if (first >= total) break;
        size_t count = static_cast<size_t>(std::min<std::uint64_t>(batch, total - first));
        if (rate > 0) {
          double due = started + static_cast<double>(first) / rate;
          double wait = due - mono_seconds();
          if (wait > 0) std::this_thread::sleep_for(std::chrono::duration<double>(wait));
        }
        body.clear();
        std::int64_t now = wall_us();
        for (size_t i = 0; i < count; ++i) {
          lines.append(body, static_cast<size_t>(first + i), now);
          body += '\n';
        }
        (poster.post(body) == 202 ? accepted : refused).fetch_add(count);
        tick(accepted.load());
      }
    });
  }
  for (auto& p : posters) p.join();
  return {accepted.load(), refused.load()};
}

// Waits until the sink has answered `expected` successful deliveries, or nothing has moved for
// `stall_s` seconds. Returns the time of the last progress. `curve`, when given, gets every
// sample.
double wait_for_deliveries(const bench_options& o, const std::string& name, const sink_process& sink,
                           std::uint64_t expected, double stall_s = 30,
                           const std::function<void()>& each_poll = {},
                           const std::function<bool()>& drained = {},
                           delivery_curve* curve = nullptr) {
  double last_change = mono_seconds();
  std::uint64_t last = 0;
  for (;;) {
    if (each_poll) each_poll();
    sink_figures f = sink.figures();
    std::uint64_t ok = f.requests - f.failed;
    double now = mono_seconds();
    if (curve) add_sample(*curve, now, ok);
    if (ok != last) {
      last = ok;
      last_change = now;
    }
    progress(o, name + ": " + std::to_string(ok) + "/" + std::to_string(expected) + " delivered");
    if (ok >= expected || now - last_change > stall_s) return last_change;
    // Nothing left to send (deliveries that ran out of tries are finished too).
    if (drained && now - last_change > 0.5 && drained()) return last_change;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<std::string> account_ids(size_t n) {
  std::vector<std::string> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back("acc-" + std::to_string(i));
  return ids;
}

header_list sample_headers(const std::string& body) {
  event ev;
  ev.id = "00000000-0000-4000-8000-000000000000";
  ev.type = "VM.CREATE";
  ev.account_id = "acc-0";
  ev.body = body;
  return delivery_headers(ev, sign_payload(kSecret, body));
}

// Bytes of the pages the delivery log occupies divided by the records in it (engine stopped,
// every delivery done). The log is its records, their index and the events whose bodies are
// their payloads: once drained, every stored event is one a record names.
// (The data file itself keeps its high-water size: LMDB reuses pages, it never shrinks.)
double disk_per_record(const engine_process& e) {
  auto store = storage::lmdb_store::open(e.data_dir(), storage::durability::os);
  if (!store) return 0;
  auto size = (*store)->size_of(storage::lmdb_store::table::deliveries);
  auto events = (*store)->size_of(storage::lmdb_store::table::events);
  if (!size || !events || size->records == 0) return 0;
  return static_cast<double>(size->bytes + events->bytes) / static_cast<double>(size->records);
}

// Fills the fields every delivering scenario shares. `peak_anon_kib`: the engine's largest
// RssAnon sampled during the run (its own memory; peak RSS also counts LMDB's file pages, and
// with durability os every page written through the writable map).
void fill_common(scenario_result& r, const sink_figures& f, std::uint64_t expected, double t0,
                 double t1, double cpu, const engine_process& e, std::uint64_t refused,
                 long peak_anon_kib) {
  r.deliveries = f.requests - f.failed;
  r.seconds = t1 - t0;
  r.deliveries_per_s = r.seconds > 0 ? static_cast<double>(r.deliveries) / r.seconds : 0;
  r.p50_ms = f.p50;
  r.p99_ms = f.p99;
  r.max_ms = f.max;
  r.cpu_us_per_delivery = r.deliveries ? cpu * 1e6 / static_cast<double>(r.deliveries) : 0;
  r.peak_rss_mb = static_cast<double>(e.proc.peak_rss_kib()) / 1024.0;
  r.extra["peak_anon_mb"] = static_cast<double>(peak_anon_kib) / 1024.0;
  r.errors = refused + (expected > r.deliveries ? expected - r.deliveries : 0);
}

// The marks a delivering run is split at (bench/run_phases.hpp), with `f` the sink's figures
// just read.
run_mark mark_now(const engine_process& e, const sink_process& sink, const sink_figures& f) {
  run_mark m;
  m.t = mono_seconds();
  m.delivered = f.requests - f.failed;
  m.engine_cpu = e.proc.cpu_seconds();
  m.sink_cpu = sink.proc.cpu_seconds();
  m.bench_cpu = process_cpu_seconds(getpid());
  m.threads = thread_usage_by_role(e.proc.pid());
  return m;
}

// A delivering run: starts the engine on `cfg`, posts with `post`, waits for `expected`
// successful deliveries (per accepted intake unit times `per_unit`), stops the engine and fills
// the shared figures. The caller adds baselines.
struct measured {
  scenario_result r;
  engine_process eng;
  // The engine's, the sink's and this process's CPU per delivery over the run: what the cores
  // spent on each delivery (0: nothing delivered).
  double all_cpu_us_per_delivery = 0;
};

result<measured> measure(const bench_options& o, const std::string& name, const sink_process& sink,
                         json::object cfg, std::uint64_t expected, std::uint64_t per_unit,
                         const std::function<intake_result(const engine_process&)>& post) {
  auto eng = engine_process::start(o, name, std::move(cfg));
  if (!eng) return eng.error();
  measured m{scenario_result{}, std::move(*eng)};
  m.r.name = name;
  const sink_figures first = sink.figures();
  const run_mark start = mark_now(m.eng, sink, first);
  const double t0 = start.t;
  // The sink is sampled while the events are posted too: deliveries start long before the
  // last event is in (posting 200,000 events takes most of a throughput run).
  delivery_curve curve{{t0, 0}};
  std::atomic<bool> posting{true};
  std::thread sampler([&] {
    while (posting.load()) {
      sink_figures f = sink.figures();
      add_sample(curve, mono_seconds(), f.requests - f.failed);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  intake_result in = post(m.eng);
  posting = false;
  sampler.join();
  const run_mark posted = mark_now(m.eng, sink, sink.figures());
  // Stop waiting once the engine holds nothing more to send: a delivery that will never
  // arrive is an error at once, not after a 30 s stall.
  const engine_process& e = m.eng;
  long peak_anon = e.proc.anon_kib();
  double t1 = wait_for_deliveries(
      o, name, sink, in.accepted * per_unit, 30,
      [&e, &peak_anon] { peak_anon = std::max(peak_anon, e.proc.anon_kib()); },
      [&e] { return e.pending() == 0; }, &curve);
  const sink_figures last = sink.figures();  // the end mark's and the run's figures alike
  const run_mark end = mark_now(m.eng, sink, last);
  double engine_cpu = end.engine_cpu - start.engine_cpu, sink_cpu = end.sink_cpu - start.sink_cpu,
         bench_cpu = end.bench_cpu - start.bench_cpu;
  fill_common(m.r, last, expected, t0, t1, engine_cpu, m.eng, in.refused * per_unit,
              peak_anon);
  // With cores_busy near the core count the run was bound by CPU, and the engine's rate is
  // what its CPU per delivery leaves of the cores (cpu_bound_ratio).
  if (t1 > t0) m.r.extra["cores_busy"] = (engine_cpu + sink_cpu + bench_cpu) / (t1 - t0);
  if (double steady = steady_rate(curve, expected); steady > 0) m.r.extra["steady_per_s"] = steady;
  for (auto& sample : curve) sample.first -= t0;
  m.r.curve = std::move(curve);
  m.r.extra["posted_s"] = posted.t - t0;
  // Connections the engine delivered over: with keep-alive, about its in-flight cap however
  // many deliveries (each TLS connection is a handshake).
  m.r.extra["receiver_connections"] = static_cast<double>(last.connections - first.connections);
  if (!sink.ca_file.empty())
    m.r.extra["receiver_tls_connections"] =
        static_cast<double>(last.tls_connections - first.tls_connections);
  add_drain_figures(m.r.extra, start, posted, end, in.accepted);
  if (m.r.deliveries > 0) {
    double n = static_cast<double>(m.r.deliveries);
    // What else ran on the machine's cores meanwhile: the sink, and this process (posting the
    // events, sampling the sink).
    m.r.extra["cpu_us_sink"] = sink_cpu * 1e6 / n;
    m.r.extra["cpu_us_bench"] = bench_cpu * 1e6 / n;
    m.all_cpu_us_per_delivery = (engine_cpu + sink_cpu + bench_cpu) * 1e6 / n;
    add_role_figures(m.r.extra, start, end, m.r.deliveries);
  }
  return m;
}

// raw-curl on `sink` as the engine sends for `webhooks` webhooks of `owner`: the same body,
// headers, loops and in-flight cap.
// `adaptive` false: every request may use the whole cap (no share per receiver). 5 s a run,
// 1.5 with --quick (a rated scenario runs it two or three times; --quick keeps to a minute).
baseline_result raw_curl_on(const bench_options& o, const sink_process& sink, const std::string& owner,
                            size_t webhooks, bool adaptive = engine_adaptive()) {
  // The engine's cap with its default settings: each webhook and each loop at its limit.
  auto limit = [](const char* name) { return std::stoul(find_setting(name)->default_value); };
  size_t in_flight = std::min(webhooks * limit("webhook.delivery.max.inflight"),
                              engine_loops() * limit("webhook.delivery.pool.max.inflight"));
  std::string body = event_json(owner, 0);
  const std::uint64_t connections = sink.figures().connections;
  baseline_result b =
      run_raw_curl(sink.delivery_url("/w0"), body, sample_headers(body), engine_loops(),
                   in_flight, adaptive, o.quick ? 1.5 : 5, sink.proc.pid(), sink.ca_file);
  b.receiver_connections = static_cast<double>(sink.figures().connections - connections);
  return b;
}

// The raw-curl run that opens a round, before the engine's (the sink is reset after it).
baseline_result raw_curl_before(const bench_options& o, const sink_process& sink, const std::string& name,
                                const std::string& owner, size_t webhooks) {
  progress(o, name + ": raw-curl baseline (before the engine)");
  baseline_result before = raw_curl_on(o, sink, owner, webhooks);
  sink.reset();
  return before;
}

// The raw-curl baseline for `m`: `before` (raw_curl_before) and a second run right after the
// engine's (stopped first), taken together, so that the machine speeding up or slowing down
// during a round moves both sides of the ratio alike. Then the ratio to it and the log's bytes
// per record. `successes_only`: the sink fails some requests on purpose, and as the engine's
// rate counts deliveries, the baselines count their successes (and their CPU per success).
void finish_with_raw_curl(const bench_options& o, measured& m, const sink_process& sink,
                          const baseline_result& before, const std::string& owner, size_t webhooks,
                          bool successes_only = false) {
  m.eng.proc.stop();
  progress(o, m.r.name + ": raw-curl baseline (after the engine)");
  baseline_result after = raw_curl_on(o, sink, owner, webhooks);
  baseline_result b = taken_together(before, after);
  auto succeeded = [successes_only](const baseline_result& x) {
    if (!successes_only) return 1.0;
    return x.requests ? static_cast<double>(x.requests - x.errors) / static_cast<double>(x.requests) : 0.0;
  };
  double share = succeeded(b);
  b.per_s *= share;
  m.r.baseline = b;
  m.r.ratio = m.r.deliveries_per_s / b.per_s;
  add_phase_ratios(m.r.extra, b.per_s);
  m.r.extra["raw_curl_cpu_us"] = b.cpu_us_per_request;
  m.r.extra["raw_curl_sink_cpu_us"] = b.receiver_cpu_us_per_request;
  m.r.extra["raw_curl_switches"] = b.switches_per_request;
  m.r.extra["raw_curl_connections"] = b.receiver_connections;
  m.r.extra["raw_curl_before_per_s"] = before.per_s;
  m.r.extra["raw_curl_after_per_s"] = after.per_s;
  // The ratio the runs' CPU alone predicts when both kept every core busy: raw-curl's loops
  // and the sink per request (per success) against the engine, the sink and the posting per
  // delivery.
  if (m.all_cpu_us_per_delivery > 0 && share > 0)
    m.r.extra["cpu_bound_ratio"] =
        (b.cpu_us_per_request + b.receiver_cpu_us_per_request) / share / m.all_cpu_us_per_delivery;
  if (engine_adaptive() && sink.ca_file.empty()) {
    // The baseline before receivers had shares (every request free to use the whole cap): the
    // ratios of earlier runs were to this one. They were all over plain HTTP.
    progress(o, m.r.name + ": raw-curl with the whole cap for its receiver");
    baseline_result fixed = raw_curl_on(o, sink, owner, webhooks, false);
    fixed.name = "raw-curl-whole-cap";
    fixed.per_s *= succeeded(fixed);
    m.r.other_baselines.push_back(fixed);
    m.r.extra["ratio_to_raw_curl_whole_cap"] = fixed.per_s > 0 ? m.r.deliveries_per_s / fixed.per_s : 0;
  }
  m.r.disk_bytes_per_record = disk_per_record(m.eng);
}

// ---- scenarios -----------------------------------------------------------------------------

// `tls`: the receiver serves HTTPS and every webhook verifies its certificate (named
// throughput-tls; durability os, so that TLS is what differs from throughput-os).
result<scenario_result> throughput(const bench_options& o, const std::string& durability,
                                   bool tls = false) {
  const std::string name = "throughput-" + (tls ? std::string("tls") : durability);
  const size_t webhooks = 64, total = o.quick ? 20000 : 200000;
  auto sink = tls ? sink_process::start_tls(o, name) : sink_process::start(o, name, {});
  if (!sink) return sink.error();
  json::object settings;
  if (tls) settings["webhook.delivery.ca.file"] = sink->ca_file;
  json::object cfg = base_config(durability, std::move(settings));
  add_local_webhooks(cfg, webhooks, *sink);
  auto accounts = account_ids(webhooks);
  baseline_result before = raw_curl_before(o, *sink, name, "acc-0", webhooks);
  auto m = measure(o, name, *sink, std::move(cfg), total, 1, [&](const engine_process& e) {
    return post_events(e.url("/v1/events"), total, 100, 4, accounts, 0, [](std::uint64_t) {});
  });
  if (!m) return m.error();
  scenario_result& r = m->r;

  // Latency at half the rate just measured (paced intake).
  sink->reset();
  double half = r.deliveries_per_s / 2, paced_s = o.quick ? 2 : 5;
  size_t paced = static_cast<size_t>(half * paced_s);
  if (paced > 0) {
    auto in2 = post_events(m->eng.url("/v1/events"), paced, 10, 4, accounts, half, [](std::uint64_t) {});
    wait_for_deliveries(o, name + " (half rate)", *sink, in2.accepted);
    sink_figures f = sink->figures();
    r.extra["half_rate_per_s"] = half;
    r.extra["half_rate_p50_ms"] = f.p50;
    r.extra["half_rate_p99_ms"] = f.p99;
    // Gaps in the arrivals at that rate (the engine or the whole machine stopping): what a
    // p99 is made of when they are many.
    r.extra["half_rate_pauses"] = static_cast<double>(f.pauses);
    r.extra["half_rate_paused_ms"] = f.paused_ms;
  }
  finish_with_raw_curl(o, *m, *sink, before, "acc-0", webhooks);
  if (!tls) {  // wrk does not verify certificates: over TLS it would not do what the engine does
    progress(o, name + ": wrk baseline");
    std::string body = event_json("acc-0", 0);
    if (auto w = run_wrk(sink->url("/w0"), body, sample_headers(body), 64, o.quick ? 2 : 5,
                         o.work_dir)) {
      r.other_baselines.push_back(*w);
      r.extra["ratio_to_wrk"] = r.deliveries_per_s / w->per_s;
    }
  }
  progress_done(o);
  return r;
}

result<scenario_result> fanout(const bench_options& o) {
  const std::string name = "fanout";
  const size_t webhooks = 1000, events = o.quick ? 10 : 100;
  auto sink = sink_process::start(o, name, {});
  if (!sink) return sink.error();
  json::object cfg = base_config("fsync", {});
  add_admin_webhooks(cfg, webhooks, *sink, true);
  baseline_result before = raw_curl_before(o, *sink, name, "acc-admin", webhooks);
  auto m = measure(o, name, *sink, std::move(cfg), events * webhooks, webhooks, [&](const engine_process& e) {
    return post_events(e.url("/v1/events"), events, 1, 1, {"acc-admin"}, 0, [](std::uint64_t) {});
  });
  if (!m) return m.error();
  finish_with_raw_curl(o, *m, *sink, before, "acc-admin", webhooks);
  progress_done(o);
  return m->r;
}

result<scenario_result> slow_receivers(const bench_options& o) {
  const std::string name = "slow-receivers";
  const size_t webhooks = 5000, events = o.quick ? 2 : 10;
  const size_t per_loop = 500;
  const double latency_s = 0.1;
  auto sink = sink_process::start(o, name, {"--delay-ms", "100"});
  if (!sink) return sink.error();
  json::object cfg = base_config("os", json::object{{"webhook.delivery.pool.max.inflight", per_loop}});
  add_admin_webhooks(cfg, webhooks, *sink, false);
  auto m = measure(o, name, *sink, std::move(cfg), events * webhooks, webhooks, [&](const engine_process& e) {
    return post_events(e.url("/v1/events"), events, 1, 1, {"acc-admin"}, 0, [](std::uint64_t) {});
  });
  if (!m) return m.error();
  scenario_result& r = m->r;
  m->eng.proc.stop();
  double ideal = static_cast<double>(per_loop * engine_loops()) / latency_s;
  r.baseline = baseline_result{"ideal", ideal, 0, 0};
  r.ratio = r.deliveries_per_s / ideal;
  add_phase_ratios(r.extra, ideal);
  std::string body = event_json("acc-admin", 0);
  progress(o, name + ": cloudstack-pool baseline");
  auto pool = run_cloudstack_pool(sink->url("/w0"), body, sample_headers(body), o.quick ? 2 : 5);
  r.other_baselines.push_back(pool);
  r.extra["ratio_to_cloudstack_pool"] = pool.per_s > 0 ? r.deliveries_per_s / pool.per_s : 0;
  // Our HTTP loops alone against the same slow sink, with the same loops and in-flight cap:
  // what a delivery's CPU costs on this machine with no engine around it (the CPU goal is an
  // absolute figure from another machine; this makes it comparable here).
  progress(o, name + ": raw-curl at the same in-flight cap");
  auto raw = run_raw_curl(sink->url("/w0"), body, sample_headers(body), engine_loops(),
                          per_loop * engine_loops(), engine_adaptive(), o.quick ? 2 : 5,
                          sink->proc.pid());
  r.other_baselines.push_back(raw);
  r.extra["raw_curl_cpu_us"] = raw.cpu_us_per_request;
  r.extra["raw_curl_sink_cpu_us"] = raw.receiver_cpu_us_per_request;
  r.extra["raw_curl_switches"] = raw.switches_per_request;
  r.disk_bytes_per_record = disk_per_record(m->eng);
  progress_done(o);
  return r;
}

result<scenario_result> retries(const bench_options& o) {
  const std::string name = "retries";
  const size_t webhooks = 64, total = o.quick ? 10000 : 50000;
  auto sink = sink_process::start(o, name, {"--fail-ratio", "0.3"});
  if (!sink) return sink.error();
  // 30 tries: with 30 % of attempts failing, one delivery in about 170,000 would fail 10 times
  // in a row and finish as failed, and the run could not tell it from a lost one; 30 failures
  // in a row (0.3^30) do not happen.
  json::object cfg = base_config("os", json::object{{"webhook.delivery.tries", 30},
                                                    {"webhook.delivery.backoff", "0.05"}});
  add_local_webhooks(cfg, webhooks, *sink);
  baseline_result before = raw_curl_before(o, *sink, name, "acc-0", webhooks);
  auto m = measure(o, name, *sink, std::move(cfg), total, 1, [&](const engine_process& e) {
    return post_events(e.url("/v1/events"), total, 100, 4, account_ids(webhooks), 0, [](std::uint64_t) {});
  });
  if (!m) return m.error();
  scenario_result& r = m->r;
  sink_figures f = sink->figures();
  r.extra["attempts"] = static_cast<double>(f.requests);
  r.extra["failed_attempts_injected"] = static_cast<double>(f.failed);
  r.extra["attempts_per_delivery"] = r.deliveries ? static_cast<double>(f.requests) / r.deliveries : 0;
  r.extra["time_to_drain_s"] = r.seconds;
  sink->reset();
  // The sink still fails 30 % of the baseline's requests.
  finish_with_raw_curl(o, *m, *sink, before, "acc-0", webhooks, true);
  r.note = "30 % of all attempts answered 500; backoff 0.05 s, up to 30 tries";
  progress_done(o);
  return r;
}

result<scenario_result> many_webhooks(const bench_options& o) {
  const std::string name = "many-webhooks";
  const size_t n = o.quick ? 10000 : 100000;
  auto sink = sink_process::start(o, name, {});
  if (!sink) return sink.error();
  scenario_result r;
  r.name = name;
  // The same engine with no webhooks, for the difference.
  auto empty = engine_process::start(o, name + "-empty", base_config("os", {}));
  if (!empty) return empty.error();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  long empty_rss = empty->proc.rss_kib();
  empty->proc.stop();

  json::object cfg = base_config("os", {});
  add_admin_webhooks(cfg, n, *sink, true);
  progress(o, name + ": creating " + std::to_string(n) + " webhooks");
  double t0 = mono_seconds();
  auto eng = engine_process::start(o, name, cfg);
  if (!eng) return eng.error();
  r.extra["first_start_s"] = mono_seconds() - t0;  // creates and writes them
  eng->proc.stop();
  progress(o, name + ": restarting with " + std::to_string(n) + " webhooks");
  t0 = mono_seconds();
  status st = eng->launch(o, 600000);
  if (!st) return st;
  r.extra["startup_s"] = mono_seconds() - t0;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  long rss = eng->proc.rss_kib();
  r.extra["webhooks"] = static_cast<double>(n);
  r.extra["rss_kib_per_webhook"] = static_cast<double>(rss - empty_rss) / static_cast<double>(n);
  r.peak_rss_mb = static_cast<double>(eng->proc.peak_rss_kib()) / 1024.0;
  eng->proc.stop();
  r.note = "no traffic: memory and start-up only";
  progress_done(o);
  return r;
}

result<scenario_result> recovery(const bench_options& o) {
  const std::string name = "recovery";
  const size_t webhooks = 64, total = o.quick ? 20000 : 1000000;
  // A sink that never answers: every delivery stays pending.
  auto stuck = sink_process::start(o, name + "-stuck", {"--delay-ms", "3600000"});
  if (!stuck) return stuck.error();
  json::object cfg = base_config("os", json::object{{"webhook.delivery.max.inflight", 1}});
  add_local_webhooks(cfg, webhooks, *stuck);
  auto eng = engine_process::start(o, name, cfg);
  if (!eng) return eng.error();
  auto in = post_events(eng->url("/v1/events"), total, 500, 4, account_ids(webhooks), 0,
                        [&](std::uint64_t n) {
                          if (n % 10000 == 0)
                            progress(o, name + ": " + std::to_string(n) + "/" + std::to_string(total) +
                                            " pending deliveries stored");
                        });
  eng->proc.kill9();
  std::uint16_t port = stuck->port;
  stuck->proc.stop();
  auto sink = sink_process::start(o, name, {}, port);
  if (!sink) return sink.error();

  scenario_result r;
  r.name = name;
  progress(o, name + ": restarting with " + std::to_string(in.accepted) + " pending");
  double t0 = mono_seconds();
  status st = eng->launch(o, 600000);
  if (!st) return st;
  double cpu0 = eng->proc.cpu_seconds();
  double first = 0;
  while (mono_seconds() - t0 < 600) {
    if (sink->figures().requests > 0) {
      first = mono_seconds() - t0;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  long peak_anon = 0;
  double t1 = wait_for_deliveries(o, name, *sink, in.accepted, 30,
                                  [&] { peak_anon = std::max(peak_anon, eng->proc.anon_kib()); });
  fill_common(r, sink->figures(), total, t0, t1, eng->proc.cpu_seconds() - cpu0, *eng, in.refused,
              peak_anon);
  r.extra["pending_at_start"] = static_cast<double>(in.accepted);
  r.extra["time_to_first_delivery_s"] = first;
  r.extra["time_to_drained_s"] = t1 - t0;
  eng->proc.stop();
  r.disk_bytes_per_record = disk_per_record(*eng);
  r.note = "deliveries/s counts from start, start-up included";
  progress_done(o);
  return r;
}

// KiB of disk the data file holds (its blocks: the file is sparse up to LMDB's map); 0 when
// it cannot be read.
double data_file_kib(const engine_process& e) {
  struct stat st;
  if (::stat((e.data_dir() + "/data.mdb").c_str(), &st) != 0) return 0;
  return static_cast<double>(st.st_blocks) * 512 / 1024;
}

// The soak (named_only_scenario_names in scenarios.hpp): a steady load, and how the engine's
// memory and data file follow it.
result<scenario_result> soak(const bench_options& o) {
  const std::string name = "soak";
  const size_t webhooks = 64;
  const double seconds = o.soak_seconds > 0 ? o.soak_seconds : (o.quick ? 10 : 120);
  const double rate = o.soak_rate > 0 ? o.soak_rate : 5000;
  const auto total = static_cast<size_t>(rate * seconds);
  auto sink = sink_process::start(o, name, {});
  if (!sink) return sink.error();
  json::object cfg = base_config(o.soak_durability, {});
  add_local_webhooks(cfg, webhooks, *sink);
  auto eng = engine_process::start(o, name, std::move(cfg));
  if (!eng) return eng.error();
  const auto accounts = account_ids(webhooks);

  // The engine's own memory and its data file, sampled every second while the events come in.
  trend anon_mb, store_mb;
  auto sample = [&](double t) {
    anon_mb.emplace_back(t, static_cast<double>(eng->proc.anon_kib()) / 1024);
    store_mb.emplace_back(t, data_file_kib(*eng) / 1024);
  };
  const run_mark start = mark_now(*eng, *sink, sink->figures());
  const double t0 = start.t;
  intake_result in;
  std::atomic<bool> posting{true};
  std::thread poster([&] {
    // Batches of 10 over 4 connections, as the half-rate runs post.
    in = post_events(eng->url("/v1/events"), total, 10, 4, accounts, rate, [](std::uint64_t) {});
    posting = false;
  });
  sample(0);
  for (double next = 1; posting.load();) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    double t = mono_seconds() - t0;
    if (t < next) continue;
    sample(t);
    next = std::floor(t) + 1;
    progress(o, name + ": " + std::to_string(static_cast<long>(t)) + "/" +
                    std::to_string(static_cast<long>(seconds)) + " s, engine's memory " +
                    std::to_string(static_cast<long>(anon_mb.back().second)) + " MB");
  }
  poster.join();
  long peak_anon = 0;
  for (const auto& s : anon_mb) peak_anon = std::max(peak_anon, static_cast<long>(s.second * 1024));
  const engine_process& e = *eng;
  double t1 = wait_for_deliveries(
      o, name, *sink, in.accepted, 30,
      [&e, &peak_anon] { peak_anon = std::max(peak_anon, e.proc.anon_kib()); },
      [&e] { return e.pending() == 0; });
  sample(mono_seconds() - t0);
  const sink_figures f = sink->figures();
  const run_mark end = mark_now(*eng, *sink, f);
  scenario_result r;
  r.name = name;
  fill_common(r, f, total, t0, t1, end.engine_cpu - start.engine_cpu, *eng, in.refused,
              peak_anon);
  // At a rate the engine keeps up with, each delivery pays its own wake-ups: where they go.
  add_role_figures(r.extra, start, end, r.deliveries);
  r.extra["soak_s"] = seconds;
  r.extra["soak_rate_per_s"] = rate;
  // What a quantity still does once the first quarter is over: the delivery logs are full
  // (10 records per webhook by default) and LMDB reuses the pages its writes free by then.
  const double settled = seconds / 4;
  auto add_trend = [&](const std::string& what, const trend& t) {
    if (auto v = value_at(t, settled)) r.extra[what + "_settled"] = *v;
    r.extra[what + "_end"] = t.back().second;
    if (auto slope = per_minute_after(t, settled)) r.extra[what + "_per_min"] = *slope;
  };
  add_trend("anon_mb", anon_mb);
  add_trend("store_mb", store_mb);
  eng->proc.stop();
  r.disk_bytes_per_record = disk_per_record(*eng);
  // How far into the file LMDB has ever written (it reuses the pages it frees below that):
  // beside store_mb_end, what the blocks hold beyond it is reserved ahead (durability os).
  if (auto store = storage::lmdb_store::open(eng->data_dir(), storage::durability::os))
    if (auto used = (*store)->bytes_in_use()) r.extra["store_pages_mb"] = *used / 1048576.0;
  r.note = o.soak_durability + ", a steady " + std::to_string(static_cast<long>(rate)) +
           " events/s for " + std::to_string(static_cast<long>(seconds)) +
           " s; memory and data file from the first quarter's end on";
  progress_done(o);
  return r;
}

}  // namespace

const std::vector<std::string>& scenario_names() {
  static const std::vector<std::string> names = {
      "throughput", "tls", "fanout", "slow-receivers", "retries", "many-webhooks", "recovery"};
  return names;
}

const std::vector<std::string>& named_only_scenario_names() {
  static const std::vector<std::string> names = {"soak"};
  return names;
}

result<std::vector<scenario_result>> run_scenario(const std::string& name, const bench_options& o) {
  std::vector<scenario_result> out;
  auto take = [&](result<scenario_result> r) {
    if (!r) return r.error();
    out.push_back(std::move(*r));
    return status::ok();
  };
  status st;
  if (name == "throughput") {
    if ((st = take(throughput(o, "fsync"))) && (st = take(throughput(o, "os")))) {
    }
  } else if (name == "tls") st = take(throughput(o, "os", true));
  else if (name == "fanout") st = take(fanout(o));
  else if (name == "slow-receivers") st = take(slow_receivers(o));
  else if (name == "retries") st = take(retries(o));
  else if (name == "many-webhooks") st = take(many_webhooks(o));
  else if (name == "recovery") st = take(recovery(o));
  else if (name == "soak") st = take(soak(o));
  else return status::invalid_argument("unknown scenario '" + name + "'");
  if (!st) return st;
  return out;
}

}  // namespace hookshot::bench
