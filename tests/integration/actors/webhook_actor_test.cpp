// A webhook actor with its real services (LMDB, writer, an HTTP loop and its flush list)
// against a receiver on loopback: where its outcomes are handled and when they are written,
// and when it takes the deliveries waiting in its box. The HTTP loop here writes outcomes'
// changes once a minute unless a test asks for another window, so only the rules under test
// write them sooner.

#include "actors/webhook_actor.hpp"

#include <curl/curl.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "config/config.hpp"
#include "eventually.hpp"
#include "loopback_policy.hpp"
#include "loopback_server.hpp"
#include "temp_dir.hpp"

using namespace hookshot;
using namespace hookshot::actors;
using hookshot::testing::eventually;
using hookshot::testing::temp_dir;

namespace {

// Everything a webhook actor uses, wired as the engine wires it, with a one-minute window.
struct harness {
  temp_dir dir;
  hookshot::testing::loopback_server receiver;
  config::config cfg;
  std::unique_ptr<storage::lmdb_store> store;
  std::unique_ptr<storage::writer> writer;
  system_clock_source clock;
  services svc;
  caf::actor_system_config sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<delivery_box> box;  // the webhook's, as the supervisor makes it

  // `window_ms`: how long the HTTP loop holds outcomes' changes after writing some;
  // `delay_ms`: how long the receiver takes to answer.
  explicit harness(millis window_ms = 60000, long delay_ms = 0) : receiver(delay_ms) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    auto parsed = config::parse_config(R"({"data_dir": ")" + dir.path + R"("})", "test");
    REQUIRE(parsed);
    cfg = std::move(*parsed);
    auto s = storage::lmdb_store::open(dir.path, storage::durability::os);
    REQUIRE(s);
    store = std::move(*s);
    writer = std::make_unique<storage::writer>(*store);
    net::engine_options opts;
    opts.completions_window_ms = window_ms;
    auto flushes = std::make_shared<flush_list>(writer.get());
    opts.on_completions = [flushes] { flushes->write(); };
    svc.flushes.push_back(flushes);
    svc.http.push_back(std::make_unique<net::http_client>(opts, clock));
    svc.cfg = &cfg;
    svc.store = store.get();
    svc.writer = writer.get();
    svc.clock = &clock;
    sys = std::make_unique<caf::actor_system>(sys_cfg);
  }

  ~harness() {
    svc.draining = true;
    for (auto& h : svc.http) h->stop(1000);
    sys->await_all_actors_done();
    writer->stop();
  }

  // A webhook to the receiver that may have `in_flight` attempts on the wire at once.
  caf::actor webhook_with(int in_flight) {
    webhook hook;
    hook.key = 1;
    hook.id = "hook-1";
    hook.name = "serial";
    hook.payload_url = receiver.url("/hook");
    delivery_settings settings;
    settings.max_in_flight = in_flight;
    settings.policy = hookshot::testing::loopback_policy();
    box = std::make_shared<delivery_box>(&svc.pending);
    return sys->spawn<webhook_actor>(&svc, hook, settings, box);
  }

  // Deliveries `first`..`last` for `hook`, due now: stored as the supervisor stores them
  // (event and pending entry), then put in the webhook's box with their events in memory.
  // True when the box asked for a message, which has been sent.
  bool deliver(const caf::actor& hook, std::uint64_t first, std::uint64_t last) {
    std::vector<work_item> items;
    storage::write_batch batch;
    for (std::uint64_t seq = first; seq <= last; ++seq) {
      auto ev = std::make_shared<event>();
      ev->seq = seq;
      ev->id = "event-" + std::to_string(seq);
      ev->type = "VM.CREATE";
      ev->body = "{}";
      pending_delivery p{seq, 1, seq, 0, 0};
      batch.add_event(*ev);
      batch.new_pendings.push_back(p);
      items.push_back(work_item(p, std::move(ev)));
    }
    std::promise<status> stored;
    writer->submit(std::move(batch), [&stored](const status& st) { stored.set_value(st); });
    REQUIRE(stored.get_future().get().is_ok());
    if (!box->put(std::move(items))) return false;
    caf::anon_send(hook, deliveries_atom_v);
    return true;
  }
};

}  // namespace

TEST_CASE("a webhook's outcomes are handled on its HTTP loop at once and written per window, "
          "and none is lost at stop", "[actors]") {
  harness h;
  caf::actor hook = h.webhook_with(16);
  auto records = [&] {
    auto r = h.store->recent_deliveries(1, 100);
    REQUIRE(r);
    return r->size();
  };
  REQUIRE(h.deliver(hook, 1, 1));  // a new webhook asks for its first deliveries
  // The first completion after a quiet spell is written at once.
  REQUIRE(eventually([&] { return h.receiver.hits.load() == 1 && records() == 1; }));
  CHECK(h.svc.pending.load() == 0);
  // The next outcomes end their deliveries as they come, on the loop...
  h.deliver(hook, 2, 5);
  REQUIRE(eventually([&] { return h.receiver.hits.load() == 5 && h.svc.pending.load() == 0; }));
  // ...and their changes wait for the window...
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(records() == 1);
  // ...until it ends (here early, as the loop stops); then every one is a delivery record.
  h.svc.http[0]->stop(1000);
  REQUIRE(eventually([&] { return records() == 5; }));
  caf::anon_send(hook, stop_atom_v);
}

TEST_CASE("a webhook at its cap takes new deliveries with its outcomes, with no message for them",
          "[actors]") {
  harness h(0, 500);  // every outcome handed over at once; answers after 500 ms
  caf::actor hook = h.webhook_with(1);
  REQUIRE(h.deliver(hook, 1, 1));
  REQUIRE(eventually([&] { return h.svc.http[0]->in_flight() == 1; }));
  // Its one slot is taken: these wait in the box, counted, and nobody is told.
  CHECK_FALSE(h.deliver(hook, 2, 4));
  CHECK(h.svc.pending.load() == 4);
  // Each outcome frees the slot, and the webhook starts the next from its box, then its line.
  REQUIRE(eventually([&] { return h.receiver.hits.load() == 4 && h.svc.pending.load() == 0; }));
  REQUIRE(eventually([&] {
    auto records = h.store->recent_deliveries(1, 100);
    return records && records->size() == 4;
  }));
  caf::anon_send(hook, stop_atom_v);
}
