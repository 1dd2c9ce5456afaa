#include "actors/engine.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <caf/all.hpp>
#include <cerrno>
#include <cstdio>
#include <future>
#include <map>
#include <thread>
#include <unordered_map>

#include "actors/cleanup.hpp"
#include "actors/delivery_line.hpp"
#include "actors/services.hpp"
#include "actors/supervisor.hpp"
#include "core/uuid.hpp"
#include "storage/codec.hpp"
#include "storage/lmdb_store.hpp"

namespace hookshot::actors {

struct engine::impl {
  config::config cfg;
  system_clock_source clock;
  std::unique_ptr<storage::lmdb_store> store;
  std::unique_ptr<storage::writer> writer;
  services svc;
  std::unique_ptr<caf::actor_system_config> sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::actor supervisor;
  caf::actor cleanup;
  startup_report report;
  bool stopped = false;
};

namespace {

// Blocks until the writer has committed `batch`.
status write_now(storage::writer& w, storage::write_batch batch) {
  std::promise<status> done;
  auto f = done.get_future();
  w.submit(std::move(batch), [&done](const status& st) { done.set_value(st); });
  return f.get();
}

// Creates or updates the declared webhooks; identity is (owner account, name).
status apply_declared(engine::impl& e, std::map<std::uint64_t, webhook>& hooks,
                      std::uint64_t& next_key) {
  storage::write_batch batch;
  std::map<std::pair<std::string, std::string>, webhook*> by_owner_and_name;
  for (auto& [key, w] : hooks) by_owner_and_name[{w.account_id, w.name}] = &w;
  for (const auto& d : e.cfg.webhooks) {
    auto it = by_owner_and_name.find({d.account_id, d.name});
    webhook* found = it == by_owner_and_name.end() ? nullptr : it->second;
    webhook w = found ? *found : webhook{};
    if (!found) {
      w.key = next_key++;
      w.id = make_uuid();
      w.created_ms = e.clock.now_ms();
    }
    w.name = d.name;
    w.description = d.description;
    w.account_id = d.account_id;
    w.domain_id = d.domain_id;
    w.payload_url = d.payload_url;
    w.secret_key = d.secret_key;
    w.ssl_verification = d.ssl_verification;
    w.scope_ = d.scope_;
    w.state = d.state;
    bool changed = !found || storage::encode(w) != storage::encode(*found);
    if (!changed) continue;
    hooks[w.key] = w;
    batch.webhooks.push_back(std::move(w));
  }
  e.report.declared_changed = batch.webhooks.size();
  if (batch.empty()) return status::ok();
  return write_now(*e.writer, std::move(batch));
}

}  // namespace

engine::engine() : impl_(std::make_unique<impl>()) {}

engine::~engine() {
  shutdown(0);
}

result<std::unique_ptr<engine>> engine::start(const config::config& cfg) {
  std::unique_ptr<engine> e(new engine());
  impl& m = *e->impl_;
  m.cfg = cfg;
  if (mkdir(cfg.data_dir.c_str(), 0700) != 0 && errno != EEXIST)
    return status::io_error("cannot create data directory '" + cfg.data_dir + "'");
  bool created = false;
  auto key = load_secret_key(cfg.secrets_key_file, cfg.data_dir + "/secrets.key", &created);
  if (!key) return key.error();
  if (created)
    std::fprintf(stderr,
                 "hookshot: created %s/secrets.key (seals webhook secrets at rest); keep a copy "
                 "apart from the data, or set secrets.key_file\n",
                 cfg.data_dir.c_str());
  auto store = storage::lmdb_store::open(
      cfg.data_dir, cfg.fsync ? storage::durability::fsync : storage::durability::os,
      storage::lmdb_store::kDefaultMapSize, std::make_shared<const secret_box>(*key),
      /*write_map=*/true);
  if (!store) return store.error();
  m.store = std::move(*store);
  auto counters = m.store->load_counters();
  if (!counters) return counters.error();
  m.writer = std::make_unique<storage::writer>(*m.store);

  std::map<std::uint64_t, webhook> hooks;
  status st = m.store->for_each_webhook([&](webhook&& w) { hooks.emplace(w.key, std::move(w)); });
  if (!st) return st;
  std::uint64_t next_key = counters->next_webhook_key;
  if (!(st = apply_declared(m, hooks, next_key))) return st;
  std::vector<config::webhook_decl>().swap(m.cfg.webhooks);  // applied; not needed any more

  // Recover pending deliveries without their events: a webhook actor loads an event when it
  // starts an attempt (services::load_event), so a backlog of any size costs its metadata only.
  std::map<std::uint64_t, recovered_webhook> recovered;
  for (auto& [key, w] : hooks) recovered[key].hook = w;
  storage::write_batch orphans;
  st = m.store->for_each_pending([&](pending_delivery&& p) {
    auto hook = recovered.find(p.webhook_key);
    if (hook == recovered.end()) {
      orphans.finished_pendings.push_back(p);  // its webhook is gone
      return;
    }
    hook->second.pending.push_back(work_item(p, nullptr));
    ++m.report.pending;
  });
  if (!st) return st;
  st = m.store->for_each_filter([&](webhook_filter&& f) {
    auto hook = recovered.find(f.webhook_key);
    if (hook != recovered.end()) hook->second.filters.push_back(std::move(f));
  });
  if (!st) return st;
  if (!orphans.empty() && !(st = write_now(*m.writer, std::move(orphans)))) return st;

  // The HTTP pool.
  const auto& values = cfg.values;
  size_t threads = static_cast<size_t>(values.get_int("webhook.delivery.thread.pool.size"));
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  net::engine_options opts;
  opts.max_in_flight = static_cast<size_t>(values.get_int("webhook.delivery.pool.max.inflight"));
  opts.adaptive = values.get("webhook.delivery.pool.adaptive", "", nullptr) == "true";
  opts.max_response_bytes =
      static_cast<size_t>(values.get_int("webhook.delivery.response.max.bytes"));
  opts.ca_file = values.get("webhook.delivery.ca.file", "", nullptr);
  for (size_t i = 0; i < threads; ++i) {
    // Each loop writes what its outcomes changed once per completions window.
    auto flushes = std::make_shared<flush_list>(m.writer.get());
    opts.on_completions = [flushes] { flushes->write(); };
    m.svc.flushes.push_back(flushes);
    m.svc.http.push_back(std::make_unique<net::http_client>(opts, m.clock));
  }
  m.svc.cfg = &m.cfg;
  m.svc.store = m.store.get();
  m.svc.writer = m.writer.get();
  m.svc.clock = &m.clock;
  m.svc.next_record_seq = counters->next_record_seq;
  m.svc.keep_records = static_cast<std::uint32_t>(values.get_int("webhook.deliveries.limit"));
  // MiB to bytes; anything above 1 TiB means "no limit" and must not overflow the shift.
  m.svc.held_event_budget =
      std::min<long>(values.get_int("webhook.delivery.backlog.memory.mb"), long{1} << 20) << 20;
  m.report.http_threads = threads;
  m.report.webhooks = recovered.size();

  // The actors.
  m.sys_cfg = std::make_unique<caf::actor_system_config>();
  m.sys_cfg->set("scheduler.max-threads",
                 static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  // An idle CAF worker spins, then naps in 50 us steps 500 times, then waits on a condition
  // variable. The naps burn a core's worth of wakeups on a small machine that the HTTP loops
  // and the writer need; after the short spin, go straight to the condition variable.
  m.sys_cfg->set("work-stealing.moderate-poll-attempts", 0);
  m.sys = std::make_unique<caf::actor_system>(*m.sys_cfg);
  std::vector<recovered_webhook> list;
  list.reserve(recovered.size());
  for (auto& [key, r] : recovered) list.push_back(std::move(r));
  m.supervisor = m.sys->spawn<supervisor>(&m.svc, std::move(list), counters->next_event_seq,
                                          counters->next_pending_seq, next_key,
                                          counters->next_filter_key);
  m.cleanup = m.sys->spawn(cleanup_task, &m.svc);
  return e;
}

void engine::ingest(std::vector<event> events, std::function<void(const status&)> reply) {
  if (impl_->stopped) return reply(status::unavailable("hookshot is shutting down"));
  caf::anon_send(impl_->supervisor, ingest_msg{std::move(events), std::move(reply)});
}

std::int64_t engine::pending() const { return impl_->svc.pending.load(std::memory_order_relaxed); }

engine_metrics& engine::metrics() { return impl_->svc.metrics; }

std::string engine::metrics_text() const {
  const impl& m = *impl_;
  metrics_gauges g;
  g.pending = m.svc.pending.load(std::memory_order_relaxed);
  for (const auto& h : m.svc.http) {
    g.in_flight += h->in_flight();
    for (const auto& [origin, share] : h->receiver_limits())
      (share < h->cap() ? g.receivers_held_back : g.receivers_whole_cap) += 1;
  }
  g.commits = m.writer->commits();
  g.batches = m.writer->batches();
  g.held_event_bytes = m.svc.held_event_bytes.load(std::memory_order_relaxed);
  return render_prometheus(m.svc.metrics, g);
}

void engine::upsert_webhook(webhook w, std::function<void(const status&, const webhook&)> reply) {
  if (impl_->stopped) return reply(status::unavailable("hookshot is shutting down"), w);
  caf::anon_send(impl_->supervisor, upsert_webhook_msg{std::move(w), std::move(reply)});
}

void engine::delete_webhook(std::uint64_t key, std::function<void(const status&)> reply) {
  if (impl_->stopped) return reply(status::unavailable("hookshot is shutting down"));
  caf::anon_send(impl_->supervisor, delete_webhook_msg{key, std::move(reply)});
}

void engine::change_filters(std::uint64_t webhook_key, std::vector<webhook_filter> add,
                            std::vector<std::uint64_t> remove,
                            std::function<void(const status&, const std::vector<webhook_filter>&)> reply) {
  if (impl_->stopped) return reply(status::unavailable("hookshot is shutting down"), {});
  caf::anon_send(impl_->supervisor,
                 filters_msg{webhook_key, std::move(add), std::move(remove), std::move(reply)});
}

void engine::execute_delivery(manual_delivery d,
                              std::function<void(const status&, const delivery_record&)> done) {
  if (impl_->stopped) return done(status::unavailable("hookshot is shutting down"), {});
  run_manual_delivery(impl_->svc, std::move(d), std::move(done));
}

void engine::delete_records(std::vector<std::pair<std::uint64_t, std::uint64_t>> keys,
                            std::function<void(const status&)> reply) {
  storage::write_batch batch;
  batch.removed_records = std::move(keys);
  impl_->writer->submit(std::move(batch), std::move(reply));
}

void engine::shutdown(long grace_ms) {
  impl& m = *impl_;
  if (m.stopped || !m.sys) return;
  m.stopped = true;
  m.svc.draining = true;
  millis deadline = m.clock.now_ms() + grace_ms;
  auto busy = [&] {
    for (auto& h : m.svc.http)
      if (h->in_flight() > 0) return true;
    return false;
  };
  while (busy() && m.clock.now_ms() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (auto& h : m.svc.http) h->stop(std::max<millis>(0, deadline - m.clock.now_ms()));
  // The loops have stopped; each wrote what its last outcomes changed as it stopped.
  caf::anon_send(m.supervisor, stop_atom_v);
  caf::anon_send(m.cleanup, stop_atom_v);
  m.supervisor = nullptr;
  m.cleanup = nullptr;
  m.sys->await_all_actors_done();
  m.writer->stop();
}

const startup_report& engine::report() const {
  return impl_->report;
}

std::string engine::storage_summary() const {
  return std::to_string(impl_->writer->commits()) + " group commits of " +
         std::to_string(impl_->writer->batches()) + " write batches";
}
const config::config& engine::cfg() const {
  return impl_->cfg;
}
const storage::lmdb_store& engine::store() const { return *impl_->store; }

}  // namespace hookshot::actors
