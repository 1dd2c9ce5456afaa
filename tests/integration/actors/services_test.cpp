#include "actors/services.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "temp_dir.hpp"

using namespace hookshot;
using hookshot::testing::temp_dir;

namespace {

struct stored_events {
  temp_dir dir;
  std::unique_ptr<storage::lmdb_store> store;
  actors::services svc;

  explicit stored_events(std::uint64_t count) {
    auto s = storage::lmdb_store::open(dir.path, storage::durability::os);
    REQUIRE(s);
    store = std::move(*s);
    storage::write_batch batch;
    for (std::uint64_t seq = 1; seq <= count; ++seq) {
      event e;
      e.seq = seq;
      e.id = "event-" + std::to_string(seq);
      e.type = "VM.CREATE";
      e.body = "{\"n\":" + std::to_string(seq) + "}";
      batch.add_event(e);
      batch.new_pendings.push_back({seq, 1, seq, 0, 0});  // stored events are named by one
    }
    REQUIRE(store->write({&batch}));
    svc.store = store.get();
  }
};

}  // namespace

TEST_CASE("load_event shares an event while it is held and reads it again once released") {
  stored_events s(2);
  auto a = s.svc.load_event(1);
  REQUIRE(a);
  CHECK((*a)->body == "{\"n\":1}");
  auto again = s.svc.load_event(1);
  REQUIRE(again);
  CHECK(again->get() == a->get());  // one copy in memory while any delivery holds it

  a->reset();
  again->reset();
  auto reloaded = s.svc.load_event(1);
  REQUIRE(reloaded);
  CHECK((*reloaded)->id == "event-1");

  auto missing = s.svc.load_event(99);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().error_code() == status::code::not_found);
}

TEST_CASE("load_event's table forgets released events while thousands stay held") {
  stored_events s(6000);
  std::vector<std::shared_ptr<const event>> held;
  for (std::uint64_t seq = 1; seq <= 3000; ++seq) {
    auto ev = s.svc.load_event(seq);
    REQUIRE(ev);
    held.push_back(std::move(*ev));
  }
  CHECK(s.svc.loaded_events() == 3000);  // every one is held: nothing to forget
  held.clear();
  // Loading goes on, each event released at once: the table is swept when it has doubled
  // since the last sweep (4096 here), and then again every 1024 loads.
  for (std::uint64_t seq = 3001; seq <= 6000; ++seq) REQUIRE(s.svc.load_event(seq));
  CHECK(s.svc.loaded_events() <= 1024);
  auto ev = s.svc.load_event(1);
  REQUIRE(ev);
  CHECK((*ev)->id == "event-1");
}

TEST_CASE("threads loading the same events at once end up sharing one copy of each") {
  // Reads run outside the table's lock: two workers may read the same event together, and
  // the one that adds it second must hand out the first copy, not a second one.
  constexpr std::uint64_t kEvents = 500;
  constexpr int kThreads = 4;
  stored_events s(kEvents);
  std::vector<std::vector<std::shared_ptr<const event>>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (std::uint64_t seq = 1; seq <= kEvents; ++seq) {
        auto ev = s.svc.load_event(seq);
        got[t].push_back(ev ? *ev : nullptr);
      }
    });
  for (auto& th : threads) th.join();
  for (std::uint64_t i = 0; i < kEvents; ++i) {
    REQUIRE(got[0][i]);
    CHECK(got[0][i]->seq == i + 1);
    for (int t = 1; t < kThreads; ++t) CHECK(got[t][i].get() == got[0][i].get());
  }
}
