#include "storage/lmdb_store.hpp"

#include <lmdb.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <algorithm>
#include <atomic>
#include <map>
#include <future>
#include <string>
#include <thread>
#include <vector>
#include <chrono>

#include "storage/keys.hpp"
#include "storage/writer.hpp"
#include "temp_dir.hpp"

using namespace hookshot;
using namespace hookshot::storage;

using hookshot::testing::temp_dir;

namespace {

event make_event(std::uint64_t seq, size_t body_size = 100) {
  event e;
  e.seq = seq;
  e.id = "event-" + std::to_string(seq);
  e.type = "VM.CREATE";
  e.account_id = "acc";
  e.body = std::string(body_size, 'x');
  return e;
}

delivery_record make_record(std::uint64_t webhook, std::uint64_t seq, size_t payload = 100) {
  delivery_record r;
  r.seq = seq;
  r.webhook_key = webhook;
  r.id = "rec-" + std::to_string(seq);
  r.payload = std::string(payload, 'p');
  return r;
}

status write(lmdb_store& s, const write_batch& b) {
  return s.write({&b});
}

// Events first..last, each with one pending delivery (seq = the event's) for `webhook`.
write_batch events_pending_for(std::uint64_t first, std::uint64_t last, std::uint64_t webhook) {
  write_batch b;
  for (std::uint64_t e = first; e <= last; ++e) {
    b.add_event(make_event(e));
    b.new_pendings.push_back({e, webhook, e, 0, 0});
  }
  return b;
}

// This process's mappings of `file`, in address order, from /proc/self/smaps: file offset,
// length, whether they carry random-read advice (VmFlags "rr": no readahead on faults), and
// how much of them is mapped in (Rss).
struct mapping {
  size_t offset = 0, length = 0;
  bool random = false;
  size_t rss_bytes = 0;
};

std::vector<mapping> mappings_of(const std::string& file) {
  std::vector<mapping> out;
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool ours = false;
  while (std::getline(smaps, line)) {
    unsigned long start = 0, end = 0, offset = 0;
    char path[4096] = {0};
    if (std::sscanf(line.c_str(), "%lx-%lx %*s %lx %*s %*s %4095s", &start, &end, &offset, path) >= 3 &&
        line.find(':') > line.find(' ')) {
      ours = file == path;
      if (ours) out.push_back({offset, end - start, false});
    } else if (ours && line.rfind("Rss:", 0) == 0) {
      out.back().rss_bytes = std::strtoul(line.c_str() + 4, nullptr, 10) * 1024;
    } else if (ours && line.rfind("VmFlags:", 0) == 0) {
      out.back().random = (line + " ").find(" rr ") != std::string::npos;
    }
  }
  return out;
}

size_t count_events(lmdb_store& s) {
  size_t n = 0;
  REQUIRE(s.for_each_event([&](event&&) { ++n; }).is_ok());
  return n;
}

}  // namespace

TEST_CASE("an event lives exactly as long as its pending deliveries", "[storage]") {
  temp_dir dir;
  auto store = lmdb_store::open(dir.path, durability::os);
  REQUIRE(store);
  write_batch ingest;
  ingest.add_event(make_event(1));
  ingest.new_pendings = {{1, 10, 1, 0, 0}, {2, 11, 1, 0, 0}};
  REQUIRE(write(**store, ingest).is_ok());
  CHECK(count_events(**store) == 1);

  write_batch first;
  first.finished_pendings = {{1, 10, 1, 1, 0}};
  first.add_record(make_record(10, 1));
  REQUIRE(write(**store, first).is_ok());
  CHECK(count_events(**store) == 1);

  // After a restart the reference count is rebuilt from the pending table.
  store->reset();
  store = lmdb_store::open(dir.path, durability::os);
  REQUIRE(store);
  write_batch second;
  second.finished_pendings = {{2, 11, 1, 1, 0}};
  REQUIRE(write(**store, second).is_ok());
  CHECK(count_events(**store) == 0);
  size_t pending = 0;
  REQUIRE((*store)->for_each_pending([&](pending_delivery&&) { ++pending; }).is_ok());
  CHECK(pending == 0);
}

TEST_CASE("a record naming its event keeps the event until the last such record goes", "[storage]") {
  temp_dir dir;
  auto store = lmdb_store::open(dir.path, durability::os);
  REQUIRE(store);
  auto stored = [&] {
    std::vector<std::uint64_t> seqs;
    REQUIRE((*store)->for_each_event([&](event&& e) { seqs.push_back(e.seq); }).is_ok());
    return seqs;
  };
  auto naming = [](std::uint64_t webhook, std::uint64_t seq, std::uint64_t event_seq) {
    delivery_record r = make_record(webhook, seq, 0);
    r.event_seq = event_seq;
    return r;
  };
  write_batch ingest;
  for (std::uint64_t e = 1; e <= 4; ++e) ingest.add_event(make_event(e, 2000));
  ingest.new_pendings = {{1, 10, 1, 0, 0}, {2, 11, 1, 0, 0}, {3, 12, 2, 0, 0}, {4, 20, 3, 0, 0},
                         {5, 20, 4, 0, 0}};
  REQUIRE(write(**store, ingest).is_ok());

  // Each finished delivery's record takes over its pending delivery's reference.
  write_batch done;
  done.finished_pendings = {{1, 10, 1, 1, 0}, {2, 11, 1, 1, 0}, {3, 12, 2, 1, 0}};
  for (const auto& r : {naming(10, 1, 1), naming(11, 2, 1), naming(12, 3, 2)}) done.add_record(r);
  REQUIRE(write(**store, done).is_ok());
  CHECK(stored() == std::vector<std::uint64_t>{1, 2, 3, 4});
  auto log = (*store)->recent_deliveries(10, 10);
  REQUIRE(log);
  REQUIRE(log->size() == 1);
  CHECK(log->front().event_seq == 1);
  CHECK(log->front().payload == std::string(2000, 'x'));  // read from the event
  // One page each for the records and their index: three copies of the 2000-byte body would
  // not fit in one.
  CHECK((*store)->size_of(lmdb_store::table::deliveries)->bytes <= 2 * 4096);

  // A record written and trimmed in the same group never holds its event.
  write_batch both;
  both.keep_records = 1;
  both.finished_pendings = {{4, 20, 3, 1, 0}, {5, 20, 4, 1, 0}};
  both.add_record(naming(20, 4, 3));
  both.add_record(naming(20, 5, 4));
  REQUIRE(write(**store, both).is_ok());
  CHECK(stored() == std::vector<std::uint64_t>{1, 2, 4});

  // After a restart the references are counted again from the log's index.
  store->reset();
  store = lmdb_store::open(dir.path, durability::os);
  REQUIRE(store);

  // Trimming one of event 1's records keeps it for the other; deleting that one releases it.
  write_batch newer;
  newer.keep_records = 1;
  newer.add_record(make_record(10, 6));  // a payload of its own (a manual delivery)
  REQUIRE(write(**store, newer).is_ok());
  CHECK(stored() == std::vector<std::uint64_t>{1, 2, 4});
  write_batch removed;
  removed.removed_records = {{11, 2}};
  REQUIRE(write(**store, removed).is_ok());
  CHECK(stored() == std::vector<std::uint64_t>{2, 4});

  // Deleting a webhook and cleaning up logs release theirs too.
  write_batch gone;
  gone.removed_webhooks = {12};
  REQUIRE(write(**store, gone).is_ok());
  CHECK(stored() == std::vector<std::uint64_t>{4});
  write_batch clean;
  clean.cleanup_keep = 0;
  REQUIRE(write(**store, clean).is_ok());
  CHECK(stored().empty());
  CHECK((*store)->recent_deliveries(10, 10)->empty());
}

TEST_CASE("a group deletes what its batches finished, whatever batch finished it", "[storage]") {
  temp_dir dir;
  auto store = lmdb_store::open(dir.path, durability::os);
  REQUIRE(store);
  // 200 events with two deliveries each: pages of both tables fill up.
  write_batch ingest;
  for (std::uint64_t e = 1; e <= 200; ++e) {
    ingest.add_event(make_event(e));
    ingest.new_pendings.push_back({2 * e - 1, 10, e, 0, 0});
    ingest.new_pendings.push_back({2 * e, 11, e, 0, 0});
  }
  REQUIRE(write(**store, ingest).is_ok());

  // One group: webhook 10's actor finishes its deliveries of events 1..150 oldest first, in
  // two batches; webhook 11's finishes events 1..100 in a third. A fourth batch in the same
  // group brings a new event with its pending delivery.
  write_batch a, b, c, fresh;
  for (std::uint64_t e = 1; e <= 150; ++e) (e <= 75 ? a : b).finished_pendings.push_back({2 * e - 1, 10, e, 1, 0});
  for (std::uint64_t e = 1; e <= 100; ++e) c.finished_pendings.push_back({2 * e, 11, e, 1, 0});
  fresh.add_event(make_event(201));
  fresh.new_pendings.push_back({401, 10, 201, 0, 0});
  REQUIRE((*store)->write({&a, &b, &c, &fresh}).is_ok());

  // Events 1..100 lost both deliveries; 101..200 keep webhook 11's; 201 is new.
  std::vector<std::uint64_t> events, pendings;
  REQUIRE((*store)->for_each_event([&](event&& e) { events.push_back(e.seq); }).is_ok());
  REQUIRE((*store)->for_each_pending([&](pending_delivery&& p) { pendings.push_back(p.seq); }).is_ok());
  CHECK(events.size() == 101);
  CHECK(events.front() == 101);
  CHECK(events.back() == 201);
  std::vector<std::uint64_t> want;
  for (std::uint64_t e = 101; e <= 200; ++e) {
    if (e > 150) want.push_back(2 * e - 1);
    want.push_back(2 * e);
  }
  want.push_back(401);
  CHECK(pendings == want);
  CHECK((*store)->get_event(100).error().error_code() == status::code::not_found);
  CHECK((*store)->get_event(150)->seq == 150);
}

TEST_CASE("a group finishing a delivery twice, or one never stored, deletes the rest", "[storage]") {
  temp_dir dir;
  auto store = lmdb_store::open(dir.path, durability::fsync);
  REQUIRE(store);
  // Events 1..300 with a delivery each to webhook 10, and event 7 one to webhook 11 as well.
  write_batch ingest = events_pending_for(1, 300, 10);
  ingest.new_pendings.push_back({301, 11, 7, 0, 0});
  REQUIRE(write(**store, ingest).is_ok());
  // Two actors' batches in one group: both finish delivery 7 (a webhook deleted while its
  // last outcome was on its way), the second also one that was never stored, out of order.
  write_batch a, b;
  for (std::uint64_t e : {9, 7, 250, 3}) a.finished_pendings.push_back({e, 10, e, 1, 0});
  for (std::uint64_t e : {7, 999, 5, 290}) b.finished_pendings.push_back({e, 10, e, 1, 0});
  REQUIRE((*store)->write({&a, &b}).is_ok());
  std::vector<std::uint64_t> left;
  REQUIRE((*store)->for_each_pending([&](pending_delivery&& p) { left.push_back(p.seq); }).is_ok());
  CHECK(left.size() == 295);
  for (std::uint64_t gone : {3, 5, 7, 9, 250, 290})
    CHECK(std::find(left.begin(), left.end(), gone) == left.end());
  CHECK(std::is_sorted(left.begin(), left.end()));
  // Finished twice, delivery 7 released its event once: webhook 11's delivery still holds it
  // through every sweep that follows.
  for (int i = 0; i < 3; ++i) REQUIRE(write(**store, write_batch{}).is_ok());
  CHECK(count_events(**store) == 295);
  CHECK((*store)->get_event(7)->seq == 7);
  CHECK((*store)->get_event(3).error().error_code() == status::code::not_found);
}

TEST_CASE("appending records keeps the newest N of that webhook only", "[storage]") {
  temp_dir dir;
  auto store = lmdb_store::open(dir.path, durability::os);
  REQUIRE(store);
  for (std::uint64_t seq = 1; seq <= 8; ++seq) {
    write_batch b;
    b.add_record(make_record(seq % 2 ? 1 : 2, seq));  // webhooks 1 and 2 interleaved
    b.keep_records = 3;
    REQUIRE(write(**store, b).is_ok());
  }
  auto one = (*store)->recent_deliveries(1, 100);
  auto two = (*store)->recent_deliveries(2, 100);
  REQUIRE(one);
  REQUIRE(two);
  REQUIRE(one->size() == 3);
  CHECK((*one)[0].seq == 7);
  CHECK((*one)[2].seq == 3);
  REQUIRE(two->size() == 3);
  CHECK((*two)[0].seq == 8);

  SECTION("cleanup applies a lower limit and drops records of webhooks that are gone") {
    webhook w;
    w.key = 1;
    write_batch add;
    add.webhooks = {w};
    REQUIRE(write(**store, add).is_ok());
    write_batch clean;
    clean.cleanup_keep = 1;
    REQUIRE(write(**store, clean).is_ok());
    CHECK((*store)->recent_deliveries(1, 100)->size() == 1);
    CHECK((*store)->recent_deliveries(1, 100)->front().seq == 7);
    CHECK((*store)->recent_deliveries(2, 100)->empty());
  }
}

TEST_CASE("a full map grows and the write that filled it succeeds", "[storage]") {
  const bool write_map = GENERATE(false, true);
  CAPTURE(write_map);
  temp_dir dir;
  auto store = lmdb_store::open(dir.path, durability::os, 1 << 20, nullptr, write_map);  // 1 MiB
  REQUIRE(store);
  REQUIRE((*store)->write_map() == write_map);
  size_t before = (*store)->map_size();
  for (std::uint64_t i = 1; i <= 40; ++i) {
    write_batch b;
    b.add_event(make_event(i, 64 << 10));  // 64 KiB each: 2.5 MiB in all
    b.new_pendings = {{i, 1, i, 0, 0}};
    REQUIRE(write(**store, b).is_ok());
  }
  CHECK((*store)->map_size() > before);
  CHECK(count_events(**store) == 40);
  if (write_map) {  // the grown file is backed up to what is in use
    struct stat sb;
    REQUIRE(stat((dir.path + "/data.mdb").c_str(), &sb) == 0);
    CHECK(static_cast<size_t>(sb.st_size) == (*store)->map_size());
    CHECK(static_cast<size_t>(sb.st_blocks) * 512 >= (*store)->size_of(lmdb_store::table::events)->bytes);
  }
  store->reset();
  // Reopened, the map starts large enough for what is stored.
  store = lmdb_store::open(dir.path, durability::os, 1 << 20);
  REQUIRE(store);
  CHECK((*store)->map_size() > (size_t{2} << 20));
  CHECK(count_events(**store) == 40);
}

TEST_CASE("a writable map reads no pages ahead where the file grows, and only there", "[storage]") {
  // Faults on pages the file grows by fill one page each instead of a readahead window; the
  // pages in use keep their readahead (a restart reads them back).
  temp_dir dir;
  const std::string file = dir.path + "/data.mdb";
  auto check = [&](const lmdb_store& s, size_t in_use) {
    std::vector<mapping> maps = mappings_of(file);
    REQUIRE(maps.size() == 2);
    CHECK(maps[0].offset == 0);
    CHECK_FALSE(maps[0].random);
    CHECK(maps[1].offset == maps[0].length);
    CHECK(maps[1].offset >= in_use);
    CHECK(maps[1].random);
    CHECK(maps[1].offset + maps[1].length == s.map_size());
  };
  auto store = lmdb_store::open(dir.path, durability::os, 1 << 20, nullptr, /*write_map=*/true);
  REQUIRE(store);
  REQUIRE((*store)->write_map());
  check(**store, 4096);
  size_t before = (*store)->map_size();
  for (std::uint64_t i = 1; i <= 40; ++i) {
    write_batch b;
    b.add_event(make_event(i, 64 << 10));
    b.new_pendings = {{i, 1, i, 0, 0}};
    REQUIRE(write(**store, b).is_ok());
  }
  REQUIRE((*store)->map_size() > before);  // the map grew: a new mapping, advised again
  std::vector<mapping> grown = mappings_of(file);
  REQUIRE(grown.size() == 2);
  CHECK(grown[1].random);
  CHECK(grown[1].offset + grown[1].length == (*store)->map_size());
  store->reset();
  CHECK(mappings_of(file).empty());

  store = lmdb_store::open(dir.path, durability::os, 1 << 20, nullptr, /*write_map=*/true);
  REQUIRE(store);
  check(**store, (*store)->size_of(lmdb_store::table::events)->bytes);
  CHECK(count_events(**store) == 40);
}

TEST_CASE("a writable map has the pages the file grows into next mapped in ahead of use",
          "[storage]") {
  // Populated a range at a time instead of faulted in one page per store: up to a MiB beyond
  // the pages in use, never the whole reservation (8 MiB chunks).
  temp_dir dir;
  const std::string file = dir.path + "/data.mdb";
  auto store = lmdb_store::open(dir.path, durability::os, 64 << 20, nullptr, /*write_map=*/true);
  REQUIRE(store);
  REQUIRE((*store)->write_map());
  const size_t written = 40 * (16 << 10);
  for (std::uint64_t i = 1; i <= 40; ++i) {
    write_batch b;
    b.add_event(make_event(i, 16 << 10));
    b.new_pendings = {{i, 1, i, 0, 0}};
    REQUIRE(write(**store, b).is_ok());
  }
  size_t rss = 0;
  for (const mapping& m : mappings_of(file)) rss += m.rss_bytes;
  CAPTURE(rss);
  CHECK(rss >= written + (512 << 10));  // what is written, and at least half a MiB ahead
  CHECK(rss < written + (3 << 20));     // not the reservation's whole chunk
  CHECK(count_events(**store) == 40);
}

TEST_CASE("counters continue after the largest stored sequence numbers", "[storage]") {
  temp_dir dir;
  auto store = lmdb_store::open(dir.path, durability::fsync);
  REQUIRE(store);
  write_batch b;
  b.add_event(make_event(5));
  b.new_pendings = {{9, 3, 5, 0, 0}};
  b.add_record(make_record(2, 41));
  b.add_record(make_record(7, 12));
  webhook w;
  w.key = 3;
  b.webhooks = {w};
  REQUIRE(write(**store, b).is_ok());
  auto c = (*store)->load_counters();
  REQUIRE(c);
  CHECK(c->next_event_seq == 6);
  CHECK(c->next_pending_seq == 10);
  CHECK(c->next_record_seq == 42);
  CHECK(c->next_webhook_key == 4);
}

TEST_CASE("the writer commits batches from many threads and reports each outcome", "[storage]") {
  temp_dir dir;
  auto store = lmdb_store::open(dir.path, durability::fsync);
  REQUIRE(store);
  writer w(**store);
  std::vector<std::future<status>> done;
  std::vector<std::shared_ptr<std::promise<status>>> promises;
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&w, t] {
      for (int i = 0; i < 250; ++i) {
        write_batch b;
        std::uint64_t seq = static_cast<std::uint64_t>(t * 1000 + i + 1);
        b.add_record(make_record(static_cast<std::uint64_t>(t + 1), seq));
        b.keep_records = 1000;
        w.submit(std::move(b));
      }
    });
  }
  for (auto& p : producers) p.join();
  auto last = std::make_shared<std::promise<status>>();
  auto f = last->get_future();
  w.submit(write_batch{}, [last](const status& st) { last->set_value(st); });
  REQUIRE(f.get().is_ok());
  CHECK(w.commits() < 1001);  // grouped, not one commit per batch
  for (std::uint64_t t = 1; t <= 4; ++t) CHECK((*store)->recent_deliveries(t, 1000)->size() == 250);
  w.stop();
  bool refused = false;
  w.submit(write_batch{}, [&](const status& st) { refused = !st.is_ok(); });
  CHECK(refused);
}

TEST_CASE("the writer commits batches nobody waits for without another submit to wake it", "[storage]") {
  temp_dir dir;
  auto store = lmdb_store::open(dir.path, durability::os);
  REQUIRE(store);
  writer w(**store);
  // No callback: the writer gathers for a moment, then commits on its own.
  write_batch lazy;
  lazy.add_record(make_record(1, 1));
  w.submit(std::move(lazy));
  // The writer counts a commit just after readers can see it: wait for both.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (((*store)->recent_deliveries(1, 10)->empty() || w.commits() == 0) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK((*store)->recent_deliveries(1, 10)->size() == 1);
  CHECK(w.commits() == 1);

  // Batches nobody waits for, then one somebody does: its callback runs once it is stored,
  // and the others share commits with it.
  for (std::uint64_t seq = 2; seq <= 101; ++seq) {
    write_batch b;
    b.keep_records = 1000;
    b.add_record(make_record(2, seq));
    w.submit(std::move(b));
  }
  auto done = std::make_shared<std::promise<status>>();
  auto f = done->get_future();
  write_batch urgent;
  urgent.keep_records = 1000;
  urgent.add_record(make_record(2, 102));
  w.submit(std::move(urgent), [done](const status& st) { done->set_value(st); });
  REQUIRE(f.get().is_ok());
  CHECK((*store)->recent_deliveries(2, 1000)->size() == 101);  // every earlier batch too
  CHECK(w.commits() < 1 + 101);
}

TEST_CASE("the writer hands written batches back, empty, keeping their capacity", "[storage]") {
  temp_dir dir;
  auto store = lmdb_store::open(dir.path, durability::os);
  REQUIRE(store);
  writer w(**store);
  const size_t nothing = write_batch{}.capacity_bytes();
  CHECK(w.take_batch().capacity_bytes() == nothing);  // none written yet: a new one
  auto written = [&w](write_batch b) {
    auto done = std::make_shared<std::promise<status>>();
    auto f = done->get_future();
    w.submit(std::move(b), [done](const status& st) { done->set_value(st); });
    REQUIRE(f.get().is_ok());
    // A batch goes back after its callback: one more commit makes sure it has.
    auto next = std::make_shared<std::promise<status>>();
    auto g = next->get_future();
    w.submit(write_batch{}, [next](const status& st) { next->set_value(st); });
    REQUIRE(g.get().is_ok());
  };

  write_batch small;
  small.add_record(make_record(1, 1));
  small.finished_pendings.push_back(pending_delivery{});
  small.keep_records = 3;
  size_t used = small.bytes.size();
  written(std::move(small));
  write_batch reused = w.take_batch();
  CHECK(reused.empty());
  CHECK(reused.bytes.empty());
  CHECK(reused.bytes.capacity() >= used);
  CHECK(reused.records.capacity() >= 1);
  CHECK(reused.finished_pendings.capacity() >= 1);
  CHECK(reused.keep_records == write_batch::kDefaultKeepRecords);
  CHECK(w.take_batch().capacity_bytes() == nothing);  // it was the only one

  // Encoding into a reused batch gives the same bytes as into a new one.
  write_batch again = std::move(reused);
  again.add_record(make_record(1, 2));
  write_batch fresh;
  fresh.add_record(make_record(1, 2));
  CHECK(again.bytes == fresh.bytes);
  written(std::move(again));
  CHECK((*store)->recent_deliveries(1, 10)->size() == 2);

  // Every part is emptied (a cleanup too: a batch handed out again must ask for nothing).
  write_batch all;
  all.add_event(event{});
  all.new_pendings.resize(1);
  all.updated_pendings.resize(1);
  all.webhooks.resize(1);
  all.removed_webhooks.resize(1);
  all.removed_records.resize(1);
  all.filters.resize(1);
  all.removed_filters.resize(1);
  all.cleanup_keep = 5;
  all.clear();
  CHECK(all.empty());
  CHECK(all.bytes.empty());

  // A large batch is freed, not kept.
  write_batch large;
  large.bytes.reserve(writer::kMaxRecycledBytes + 1);
  large.add_record(make_record(1, 3));
  written(std::move(large));
  w.take_batch();  // `again`
  CHECK(w.take_batch().capacity_bytes() == nothing);
}

namespace {

// Runs fn in a write transaction on the environment in `dir`, opened with LMDB directly (to
// write what this binary would not).
void with_raw_txn(const std::string& dir, const std::function<void(MDB_txn*)>& fn) {
  MDB_env* env = nullptr;
  REQUIRE(mdb_env_create(&env) == 0);
  mdb_env_set_maxdbs(env, 8);
  REQUIRE(mdb_env_open(env, dir.c_str(), 0, 0600) == 0);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  fn(txn);
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);
}

void raw_put(MDB_txn* txn, MDB_dbi dbi, std::string key, std::string value) {
  MDB_val k{key.size(), key.data()}, v{value.size(), value.data()};
  REQUIRE(mdb_put(txn, dbi, &k, &v, 0) == 0);
}

}  // namespace

TEST_CASE("a data directory from a newer schema is refused", "[storage]") {
  temp_dir dir;
  {
    auto store = lmdb_store::open(dir.path, durability::os);
    REQUIRE(store);
  }
  // Rewrite the schema version with LMDB directly.
  with_raw_txn(dir.path, [](MDB_txn* txn) {
    MDB_dbi meta;
    REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
    raw_put(txn, meta, "schema_version", std::string("\0\0\0\0\0\0\0\x63", 8));
  });
  auto again = lmdb_store::open(dir.path, durability::os);
  REQUIRE_FALSE(again);
  CHECK(again.error().message().find("schema version 99") != std::string::npos);
}

namespace {

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

webhook make_webhook(std::uint64_t key, const std::string& secret) {
  webhook w;
  w.key = key;
  w.id = "hook-" + std::to_string(key);
  w.name = "w" + std::to_string(key);
  w.payload_url = "https://example.com/" + std::to_string(key);
  w.secret_key = secret;
  return w;
}

std::map<std::string, std::string> secrets_of(const lmdb_store& s) {
  std::map<std::string, std::string> out;
  REQUIRE(s.for_each_webhook([&](webhook&& w) { out[w.id] = w.secret_key; }).is_ok());
  return out;
}

std::shared_ptr<const secret_box> box_of(std::uint8_t fill) {
  secret_box::key_bytes key;
  key.fill(fill);
  return std::make_shared<const secret_box>(key);
}

}  // namespace

TEST_CASE("webhook secrets are sealed on disk and opened on read", "[storage]") {
  temp_dir dir;
  const std::string secret = "plain-secret-VISIBLE-1234567890";
  {
    auto store = lmdb_store::open(dir.path, durability::os, lmdb_store::kDefaultMapSize, box_of(7));
    REQUIRE(store);
    write_batch b;
    b.webhooks = {make_webhook(1, secret), make_webhook(2, "")};
    REQUIRE(write(**store, b).is_ok());
    CHECK(secrets_of(**store) == std::map<std::string, std::string>{{"hook-1", secret}, {"hook-2", ""}});
  }
  CHECK(file_bytes(dir.path + "/data.mdb").find(secret) == std::string::npos);
  CHECK(file_bytes(dir.path + "/data.mdb").find("example.com/1") != std::string::npos);  // not all sealed

  // Without the key, inspection still works but sees no secrets, and cannot write webhooks.
  {
    auto store = lmdb_store::open(dir.path, durability::os);
    REQUIRE(store);
    CHECK(secrets_of(**store).at("hook-1").empty());
    write_batch b;
    b.webhooks = {make_webhook(3, "another")};
    CHECK(write(**store, b).message() == "webhook secrets are sealed; writing needs the secrets key");
  }
  // Another key is refused outright.
  auto wrong = lmdb_store::open(dir.path, durability::os, lmdb_store::kDefaultMapSize, box_of(8));
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message() ==
        "the secrets key is not the one the data directory '" + dir.path + "' was sealed with");
  auto right = lmdb_store::open(dir.path, durability::os, lmdb_store::kDefaultMapSize, box_of(7));
  REQUIRE(right);
  CHECK(secrets_of(**right).at("hook-1") == secret);
}

TEST_CASE("plaintext secrets from before sealing are sealed at the first open with a key", "[storage]") {
  temp_dir dir;
  const std::string secret = "legacy-secret-VISIBLE-0987654321";
  {
    auto store = lmdb_store::open(dir.path, durability::os);
    REQUIRE(store);
    write_batch b;
    b.webhooks = {make_webhook(1, secret)};
    REQUIRE(write(**store, b).is_ok());
  }
  {
    auto store = lmdb_store::open(dir.path, durability::os, lmdb_store::kDefaultMapSize, box_of(3));
    REQUIRE(store);
    CHECK(secrets_of(**store).at("hook-1") == secret);
    // Churn so LMDB reuses the pages that held the old value.
    for (int i = 0; i < 4; ++i) {
      write_batch b;
      b.webhooks = {make_webhook(1, secret)};
      REQUIRE(write(**store, b).is_ok());
    }
  }
  CHECK(file_bytes(dir.path + "/data.mdb").find(secret) == std::string::npos);
  auto store = lmdb_store::open(dir.path, durability::os, lmdb_store::kDefaultMapSize, box_of(3));
  REQUIRE(store);
  CHECK(secrets_of(**store).at("hook-1") == secret);
}

TEST_CASE("a group appending many records to one log writes only the newest it keeps", "[storage]") {
  temp_dir dir;
  auto store = lmdb_store::open(dir.path, durability::os);
  REQUIRE(store);
  write_batch first, second, other;
  first.keep_records = second.keep_records = other.keep_records = 10;
  for (std::uint64_t seq = 1; seq <= 15; ++seq) first.add_record(make_record(7, seq));
  for (std::uint64_t seq = 16; seq <= 22; ++seq) second.add_record(make_record(7, seq));
  for (std::uint64_t seq = 23; seq <= 25; ++seq) other.add_record(make_record(8, seq));
  REQUIRE((*store)->write({&first, &second, &other}).is_ok());
  auto recent = (*store)->recent_deliveries(7, 100);
  REQUIRE(recent);
  std::vector<std::uint64_t> seqs;
  for (const auto& r : *recent) seqs.push_back(r.seq);
  CHECK(seqs == std::vector<std::uint64_t>{22, 21, 20, 19, 18, 17, 16, 15, 14, 13});
  CHECK((*store)->recent_deliveries(8, 100)->size() == 3);
  // Only what is kept was written: the log holds exactly 13 records.
  CHECK((*store)->size_of(lmdb_store::table::deliveries)->records == 13);
}

// The seqs of a webhook's log, newest first.
std::vector<std::uint64_t> log_seqs(const lmdb_store& store, std::uint64_t webhook) {
  std::vector<std::uint64_t> out;
  auto recent = store.recent_deliveries(webhook, 100);
  REQUIRE(recent);
  for (const auto& r : *recent) out.push_back(r.seq);
  return out;
}

TEST_CASE("records from many producers are stored whatever order their seqs arrive in", "[storage]") {
  temp_dir dir;
  auto store = lmdb_store::open(dir.path, durability::fsync);
  REQUIRE(store);
  // Two actors took seqs 3, 4 and 1, 2; their batches reach one group in that order. Then seq
  // 6 is written, and seq 5 after it (older than the table's last key).
  write_batch a, b, newer, older;
  a.add_record(make_record(1, 3));
  a.add_record(make_record(2, 4));
  b.add_record(make_record(1, 1));
  b.add_record(make_record(2, 2));
  newer.add_record(make_record(2, 6));
  older.add_record(make_record(1, 5));
  REQUIRE((*store)->write({&a, &b}).is_ok());
  REQUIRE(write(**store, newer).is_ok());
  REQUIRE(write(**store, older).is_ok());
  CHECK(log_seqs(**store, 1) == std::vector<std::uint64_t>{5, 3, 1});
  CHECK(log_seqs(**store, 2) == std::vector<std::uint64_t>{6, 4, 2});
  CHECK((*store)->load_counters()->next_record_seq == 7);
}

TEST_CASE("a schema 1 delivery log moves to the records table at the first open",
          "[storage]") {
  temp_dir dir;
  // Schema 1 kept every record in one table keyed by webhook key ‖ record seq.
  with_raw_txn(dir.path, [&](MDB_txn* txn) {
    MDB_dbi meta, deliveries;
    REQUIRE(mdb_dbi_open(txn, "meta", MDB_CREATE, &meta) == 0);
    REQUIRE(mdb_dbi_open(txn, "deliveries", MDB_CREATE, &deliveries) == 0);
    raw_put(txn, meta, "schema_version", encode_u64(1));
    for (std::uint64_t seq = 1; seq <= 6; ++seq) {
      std::uint64_t webhook = seq % 2 ? 1 : 2;
      write_batch encoded;
      encoded.add_record(make_record(webhook, seq));
      raw_put(txn, deliveries, encode_pair(webhook, seq).str(), std::string(encoded.value_of(encoded.records[0])));
    }
  });

  auto store = lmdb_store::open(dir.path, durability::fsync);
  REQUIRE(store);
  CHECK(log_seqs(**store, 1) == std::vector<std::uint64_t>{5, 3, 1});
  CHECK(log_seqs(**store, 2) == std::vector<std::uint64_t>{6, 4, 2});
  CHECK((*store)->recent_deliveries(1, 1)->front().payload == std::string(100, 'p'));
  CHECK((*store)->load_counters()->next_record_seq == 7);
  CHECK((*store)->size_of(lmdb_store::table::deliveries)->records == 6);
  // The moved log is trimmed like a new one.
  write_batch next;
  next.keep_records = 2;
  next.add_record(make_record(1, 7));
  REQUIRE(write(**store, next).is_ok());
  CHECK(log_seqs(**store, 1) == std::vector<std::uint64_t>{7, 5});
  CHECK((*store)->size_of(lmdb_store::table::deliveries)->records == 5);
  store->reset();

  with_raw_txn(dir.path, [&](MDB_txn* txn) {
    MDB_dbi meta, old;
    CHECK(mdb_dbi_open(txn, "deliveries", 0, &old) == MDB_NOTFOUND);
    REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
    std::string key = "schema_version";
    MDB_val k{key.size(), key.data()}, v;
    REQUIRE(mdb_get(txn, meta, &k, &v) == 0);
    CHECK(std::string(static_cast<const char*>(v.mv_data), v.mv_size) ==
          encode_u64(lmdb_store::kSchemaVersion));
  });
  // Opening again finds nothing left to move.
  auto again = lmdb_store::open(dir.path, durability::fsync);
  REQUIRE(again);
  CHECK((*again)->size_of(lmdb_store::table::deliveries)->records == 5);
}

TEST_CASE("a schema 2 log keeps its payloads at the upgrade, mixes with records naming events, "
          "and its index table goes",
          "[storage]") {
  temp_dir dir;
  // Schema 2: records in format 1 (the payload inline, no event seq), empty index values, and
  // an event still pending for webhook 2.
  auto format1 = [](std::uint64_t webhook, std::uint64_t seq) {
    write_batch encoded;
    encoded.add_record(make_record(webhook, seq));
    std::string v2(encoded.value_of(encoded.records[0]));
    size_t payload_len_at = v2.find(std::string(100, 'p')) - 4;
    std::string v1 = v2.substr(0, payload_len_at - 8) + v2.substr(payload_len_at);
    v1[0] = 1;
    return v1;
  };
  with_raw_txn(dir.path, [&](MDB_txn* txn) {
    MDB_dbi meta, records, index, events, pending;
    REQUIRE(mdb_dbi_open(txn, "meta", MDB_CREATE, &meta) == 0);
    REQUIRE(mdb_dbi_open(txn, "records", MDB_CREATE, &records) == 0);
    REQUIRE(mdb_dbi_open(txn, "record_index", MDB_CREATE, &index) == 0);
    REQUIRE(mdb_dbi_open(txn, "events", MDB_CREATE, &events) == 0);
    REQUIRE(mdb_dbi_open(txn, "pending", MDB_CREATE, &pending) == 0);
    raw_put(txn, meta, "schema_version", encode_u64(2));
    for (std::uint64_t seq = 1; seq <= 3; ++seq) {
      raw_put(txn, records, encode_u64(seq), format1(1, seq));
      raw_put(txn, index, encode_pair(1, seq).str(), "");
    }
    raw_put(txn, events, encode_u64(9), encode(make_event(9)));
    raw_put(txn, pending, encode_u64(1), encode(pending_delivery{1, 2, 9, 0, 0}));
  });

  auto store = lmdb_store::open(dir.path, durability::fsync);
  REQUIRE(store);
  auto old = (*store)->recent_deliveries(1, 10);
  REQUIRE(old);
  REQUIRE(old->size() == 3);
  CHECK(old->front().event_seq == 0);
  CHECK(old->front().payload == std::string(100, 'p'));
  // Webhook 2's delivery of event 9 finishes with a record naming it: the event stays.
  write_batch done;
  done.finished_pendings = {{1, 2, 9, 1, 0}};
  delivery_record named = make_record(2, 4, 0);
  named.event_seq = 9;
  done.add_record(named);
  REQUIRE(write(**store, done).is_ok());
  CHECK(count_events(**store) == 1);
  CHECK((*store)->recent_deliveries(2, 10)->front().payload == std::string(100, 'x'));
  // Trimming the old log releases nothing; the upgrade wrote the new version.
  write_batch trim_old;
  trim_old.keep_records = 1;
  trim_old.add_record(make_record(1, 5));
  REQUIRE(write(**store, trim_old).is_ok());
  CHECK(log_seqs(**store, 1) == std::vector<std::uint64_t>{5});
  CHECK(count_events(**store) == 1);
  store->reset();
  with_raw_txn(dir.path, [&](MDB_txn* txn) {
    MDB_dbi meta;
    REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
    std::string key = "schema_version";
    MDB_val k{key.size(), key.data()}, v;
    REQUIRE(mdb_get(txn, meta, &k, &v) == 0);
    CHECK(std::string(static_cast<const char*>(v.mv_data), v.mv_size) == encode_u64(4));
    // The logs' index is rebuilt in memory at every open since schema 4.
    MDB_dbi index;
    CHECK(mdb_dbi_open(txn, "record_index", 0, &index) == MDB_NOTFOUND);
  });
}

TEST_CASE("the logs' index is rebuilt from the records at open and trims on from there",
          "[storage]") {
  temp_dir dir;
  {
    auto store = lmdb_store::open(dir.path, durability::fsync);
    REQUIRE(store);
    // Webhook 1's records name events 1-4 (each still pending elsewhere until its record
    // holds it), webhook 2's hold their payloads.
    REQUIRE(write(**store, events_pending_for(1, 4, 3)).is_ok());
    write_batch done;
    for (std::uint64_t seq = 1; seq <= 8; ++seq) {
      delivery_record r = make_record(seq % 2 ? 1 : 2, seq);
      if (seq % 2) {
        r.event_seq = (seq + 1) / 2;
        r.payload.clear();
      }
      done.add_record(r);
    }
    for (std::uint64_t e = 1; e <= 4; ++e) done.finished_pendings.push_back({e, 3, e, 1, 0});
    done.keep_records = 10;
    REQUIRE(write(**store, done).is_ok());
    CHECK(count_events(**store) == 4);
  }
  auto store = lmdb_store::open(dir.path, durability::fsync);
  REQUIRE(store);
  CHECK(log_seqs(**store, 1) == std::vector<std::uint64_t>{7, 5, 3, 1});
  CHECK(log_seqs(**store, 2) == std::vector<std::uint64_t>{8, 6, 4, 2});
  CHECK((*store)->recent_deliveries(1, 1)->front().payload == make_event(4).body);
  // Keeping 2 of webhook 1's log drops its three oldest records and, with them, the last
  // references on events 1-3; webhook 2's log is untouched.
  write_batch more;
  more.keep_records = 2;
  more.add_record(make_record(1, 9));
  REQUIRE(write(**store, more).is_ok());
  CHECK(log_seqs(**store, 1) == std::vector<std::uint64_t>{9, 7});
  CHECK(log_seqs(**store, 2) == std::vector<std::uint64_t>{8, 6, 4, 2});
  CHECK((*store)->size_of(lmdb_store::table::deliveries)->records == 6);
  for (int i = 0; i < 3; ++i) REQUIRE(write(**store, write_batch{}).is_ok());  // the sweep
  CHECK((*store)->get_event(1).error().error_code() == status::code::not_found);
  CHECK((*store)->get_event(3).error().error_code() == status::code::not_found);
  CHECK((*store)->get_event(4)->seq == 4);
  // Deleting a webhook's record by its seq, and one that is not there.
  write_batch removal;
  removal.removed_records = {{2, 4}, {2, 99}};
  REQUIRE(write(**store, removal).is_ok());
  CHECK(log_seqs(**store, 2) == std::vector<std::uint64_t>{8, 6, 2});
}

TEST_CASE("a process inspecting a directory another writes lists the logs of one snapshot",
          "[storage]") {
  temp_dir dir;
  {
    auto store = lmdb_store::open(dir.path, durability::fsync);
    REQUIRE(store);
    write_batch b;
    for (std::uint64_t seq = 1; seq <= 10; ++seq) b.add_record(make_record(1, seq));
    b.keep_records = 10;
    REQUIRE(write(**store, b).is_ok());
  }
  // This process opens it as `hookshot deliveries` does, to read only.
  auto reader = lmdb_store::open_reader(dir.path);
  REQUIRE(reader);
  // Another process, the server, appends 11-15 to the log, which keeps 10: 1-5 go.
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto writer = lmdb_store::open(dir.path, durability::fsync);
    write_batch b;
    for (std::uint64_t seq = 11; seq <= 15; ++seq) b.add_record(make_record(1, seq));
    b.keep_records = 10;
    _exit(writer && write(**writer, b).is_ok() ? 0 : 1);
  }
  int child_status = 0;
  REQUIRE(waitpid(child, &child_status, 0) == child);
  REQUIRE(WIFEXITED(child_status));
  REQUIRE(WEXITSTATUS(child_status) == 0);
  // It built no log index of its own; the snapshot's records table is what it lists.
  CHECK((*reader)->recent_deliveries(1, 10)->empty());
  auto logs = (*reader)->recent_deliveries_at_snapshot(4);
  REQUIRE(logs);
  REQUIRE(logs->size() == 1);
  std::vector<std::uint64_t> seqs;
  for (const auto& r : logs->at(1)) seqs.push_back(r.seq);
  CHECK(seqs == std::vector<std::uint64_t>{15, 14, 13, 12});
  CHECK(logs->at(1).front().payload == make_record(1, 15).payload);
}

TEST_CASE("a reading open neither waits for another process's write nor creates anything",
          "[storage]") {
  temp_dir dir;
  {
    auto store = lmdb_store::open(dir.path, durability::fsync);
    REQUIRE(store);
    write_batch b;
    b.webhooks.push_back(webhook{});
    b.webhooks.back().key = 1;
    b.webhooks.back().name = "one";
    for (std::uint64_t seq = 1; seq <= 3; ++seq) b.add_record(make_record(1, seq));
    REQUIRE(write(**store, b).is_ok());
  }
  // Another process holds the write lock (a commit in progress, or a server's open scanning a
  // large store) until this one says it is done, or at most 20 s.
  int to_child[2], to_parent[2];
  REQUIRE(pipe(to_child) == 0);
  REQUIRE(pipe(to_parent) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    MDB_env* env = nullptr;
    MDB_txn* txn = nullptr;
    if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 12) || mdb_env_open(env, dir.path.c_str(), 0, 0600) ||
        mdb_txn_begin(env, nullptr, 0, &txn))
      _exit(2);
    char c = 'w';
    if (write(to_parent[1], &c, 1) != 1) _exit(2);
    pollfd pfd{to_child[0], POLLIN, 0};
    int ready = poll(&pfd, 1, 20000);
    mdb_txn_abort(txn);
    _exit(ready == 1 ? 0 : 1);  // 1: never told, the reader waited on the lock
  }
  char c = 0;
  REQUIRE(read(to_parent[0], &c, 1) == 1);
  auto reader = lmdb_store::open_reader(dir.path);
  REQUIRE(reader);
  auto logs = (*reader)->recent_deliveries_at_snapshot(10);
  REQUIRE(logs);
  CHECK(logs->at(1).size() == 3);
  std::vector<std::string> names;
  REQUIRE((*reader)->for_each_webhook([&](webhook&& w) { names.push_back(w.name); }).is_ok());
  CHECK(names == std::vector<std::string>{"one"});
  REQUIRE(write(to_child[1], "d", 1) == 1);
  int child_status = 0;
  REQUIRE(waitpid(child, &child_status, 0) == child);
  REQUIRE(WIFEXITED(child_status));
  CHECK(WEXITSTATUS(child_status) == 0);
  // It writes nothing.
  write_batch b;
  b.add_record(make_record(1, 4));
  CHECK(write(**reader, b).error_code() == status::code::invalid_argument);
  // A directory without hookshot data is named, and left as it was.
  std::string missing = dir.path + "/nothing-here";
  auto none = lmdb_store::open_reader(missing);
  REQUIRE(!none);
  CHECK(none.error().error_code() == status::code::not_found);
  CHECK(none.error().message().find("no hookshot data in '" + missing + "'") == 0);
  struct stat st;
  CHECK(stat(missing.c_str(), &st) != 0);
}

TEST_CASE("a reader listing a log while the writer appends and trims it always gets a whole list",
          "[storage]") {
  temp_dir dir;
  auto store = lmdb_store::open(dir.path, durability::os);
  REQUIRE(store);
  std::atomic<bool> done{false};
  std::atomic<int> lists{0}, bad{0};
  std::thread reader([&] {
    while (!done.load()) {
      auto recent = (*store)->recent_deliveries(1, 10);
      if (!recent) {
        ++bad;
        continue;
      }
      // Once the log is full, every list holds its 5 newest, newest first.
      bool ordered = std::is_sorted(recent->rbegin(), recent->rend(),
                                    [](const auto& a, const auto& b) { return a.seq < b.seq; });
      bool whole = recent->size() <= 5 && (recent->empty() || recent->front().seq <= 5 ||
                                           recent->size() == 5);
      if (!whole || !ordered) ++bad;
      ++lists;
    }
  });
  for (std::uint64_t seq = 1; seq <= 3000; ++seq) {
    write_batch b;
    b.keep_records = 5;
    b.add_record(make_record(1, seq));
    REQUIRE(write(**store, b).is_ok());
  }
  done = true;
  reader.join();
  CHECK(bad.load() == 0);
  CHECK(lists.load() > 0);
  CHECK(log_seqs(**store, 1) == std::vector<std::uint64_t>{3000, 2999, 2998, 2997, 2996});
}

TEST_CASE("unreferenced events are swept in key order, a bounded number per commit", "[storage]") {
  temp_dir dir;
  // An event nobody names, as a crash between a release and its sweep would leave it.
  with_raw_txn(dir.path, [&](MDB_txn* txn) {
    MDB_dbi events;
    REQUIRE(mdb_dbi_open(txn, "events", MDB_CREATE, &events) == 0);
    raw_put(txn, events, encode_u64(1), encode(make_event(1)));
  });
  auto store = lmdb_store::open(dir.path, durability::fsync);
  REQUIRE(store);
  // 3,000 events with one delivery each. The commit's sweep starts at the oldest event: the
  // leftover goes.
  REQUIRE(write(**store, events_pending_for(2, 3001, 10)).is_ok());
  CHECK(count_events(**store) == 3000);
  // The newest 100 finish: released, but beyond this commit's sweep (256 + 2 x 100 events on
  // from where the last one stopped).
  write_batch done;
  for (std::uint64_t e = 2902; e <= 3001; ++e) done.finished_pendings.push_back({e, 10, e, 1, 0});
  REQUIRE(write(**store, done).is_ok());
  CHECK(count_events(**store) == 3000);
  CHECK((*store)->get_event(3001)->seq == 3001);
  // Later commits go on from there (256 events each) and reach them; live events stay.
  for (int i = 0; i < 10; ++i) {
    write_batch other;
    other.webhooks.push_back(webhook{});
    REQUIRE(write(**store, other).is_ok());
  }
  std::vector<std::uint64_t> seqs;
  REQUIRE((*store)->for_each_event([&](event&& e) { seqs.push_back(e.seq); }).is_ok());
  REQUIRE(seqs.size() == 2900);
  CHECK(seqs.front() == 2);
  CHECK(seqs.back() == 2901);
  CHECK((*store)->get_event(3001).error().error_code() == status::code::not_found);
}

TEST_CASE("events and pending deliveries fill their pages as they arrive in key order", "[storage]") {
  temp_dir dir;
  auto store = lmdb_store::open(dir.path, durability::os);
  REQUIRE(store);
  std::uint64_t seq = 1;
  for (int group = 0; group < 30; ++group) {
    write_batch b;
    for (int i = 0; i < 100; ++i, ++seq) {
      b.add_event(make_event(seq, 1000));
      pending_delivery p;
      p.seq = seq;
      p.webhook_key = 1;
      p.event_seq = seq;
      b.new_pendings.push_back(p);
    }
    REQUIRE(write(**store, b).is_ok());
  }
  // A key out of order (a batch retried alone) still goes in.
  write_batch late;
  late.add_event(make_event(5, 1000));
  REQUIRE(write(**store, late).is_ok());
  REQUIRE((*store)->get_event(5)->body.size() == 1000);

  auto events = (*store)->size_of(lmdb_store::table::events);
  auto pending = (*store)->size_of(lmdb_store::table::pending);
  REQUIRE(events);
  REQUIRE(pending);
  CHECK(events->records == 3000);
  CHECK(pending->records == 3000);
  // Three ~1 KiB events fit a 4 KiB page: 1,000 full pages, plus branch pages and the
  // one split above (1,006). Inserted the ordinary way they take 1,508: each split leaves
  // a half-empty page behind.
  CHECK(events->bytes / 4096 < 1100);
}

TEST_CASE("a writable map keeps every page it writes backed by disk blocks", "[storage]") {
  temp_dir dir;
  {
    auto fsync = lmdb_store::open(dir.path + "/fsync", durability::fsync, lmdb_store::kDefaultMapSize,
                                  nullptr, /*write_map=*/true);
    REQUIRE(fsync);
    CHECK_FALSE((*fsync)->write_map());  // syncing a writable map costs more than it saves
  }
  std::uint64_t seq = 1;
  {
    auto store = lmdb_store::open(dir.path, durability::os, lmdb_store::kDefaultMapSize, nullptr,
                                  /*write_map=*/true);
    REQUIRE(store);
    REQUIRE((*store)->write_map());
    for (int group = 0; group < 30; ++group) {
      write_batch b;
      for (int i = 0; i < 100; ++i, ++seq) {
        b.add_event(make_event(seq, 3000));  // overflow pages too
        b.new_pendings.push_back({seq, 1, seq, 0, 0});
      }
      REQUIRE(write(**store, b).is_ok());
    }
    struct stat sb;
    REQUIRE(stat((dir.path + "/data.mdb").c_str(), &sb) == 0);
    // The file has the map's size; the blocks behind it cover every page in use.
    CHECK(static_cast<size_t>(sb.st_size) == (*store)->map_size());
    size_t used = (*store)->size_of(lmdb_store::table::events)->bytes +
                  (*store)->size_of(lmdb_store::table::pending)->bytes;
    CHECK(static_cast<size_t>(sb.st_blocks) * 512 >= used);
    CHECK(static_cast<size_t>(sb.st_blocks) * 512 < used + 64 * disk_reservation::kChunk);
  }
  // Restarts keep the map (and so the file) at its size instead of growing it every time.
  size_t map_size = 0;
  for (int start = 0; start < 3; ++start) {
    auto store = lmdb_store::open(dir.path, durability::os, lmdb_store::kDefaultMapSize, nullptr,
                                  /*write_map=*/true);
    REQUIRE(store);
    if (start > 0) CHECK((*store)->map_size() == map_size);
    map_size = (*store)->map_size();
  }
  CHECK(map_size == lmdb_store::kDefaultMapSize);
  // Reopened without the writable map (as `hookshot deliveries` does), everything reads back.
  auto again = lmdb_store::open(dir.path, durability::os);
  REQUIRE(again);
  CHECK_FALSE((*again)->write_map());
  CHECK(count_events(**again) == 3000);
  CHECK((*again)->get_event(1234)->body == std::string(3000, 'x'));
}

TEST_CASE("a writable map's transactions stay within the blocks reserved for them", "[storage]") {
  temp_dir dir;
  auto opened = lmdb_store::open(dir.path, durability::os, lmdb_store::kDefaultMapSize, nullptr,
                                 /*write_map=*/true);
  REQUIRE(opened);
  lmdb_store& store = **opened;
  REQUIRE(store.write_map());
  // Every page a write leaves in use lies within the blocks reserved before it began: a page
  // beyond them would be a SIGBUS on a full disk.
  auto write_within = [&](const write_batch& b) {
    REQUIRE(write(store, b).is_ok());
    auto used = store.bytes_in_use();
    REQUIRE(used);
    CHECK(*used <= store.reserved_bytes());
    return *used;
  };
  std::uint64_t seq = 1;
  std::vector<pending_delivery> in_flight;
  // Groups of 100 deliveries for 5 webhooks: each stores its events and pending deliveries,
  // finishes the group before it's and appends their records (the logs keep 10 each).
  auto churn = [&](size_t body) {
    write_batch b;
    for (const auto& p : in_flight) {
      b.finished_pendings.push_back(p);
      delivery_record r = make_record(p.webhook_key, p.seq, 0);
      r.event_seq = p.event_seq;
      b.add_record(r);
    }
    in_flight.clear();
    for (int i = 0; i < 100; ++i, ++seq) {
      b.add_event(make_event(seq, body));
      in_flight.push_back({seq, seq % 5 + 1, seq, 0, 0});
    }
    b.new_pendings = in_flight;
    return write_within(b);
  };
  for (int group = 0; group < 50; ++group) churn(1000);
  size_t settled = churn(1000);
  for (int group = 0; group < 250; ++group) churn(1000);
  // Once the logs are full the store stays the size it was, reusing the pages its writes
  // free, and its blocks stay near it: a chunk beyond what one such group could add at most
  // (the bound of each operation's worst case once held them at 8 pages an operation, four
  // times this).
  size_t used = *store.bytes_in_use();
  CHECK(used <= settled + disk_reservation::kChunk);
  CHECK(store.reserved_bytes() <= used + 2 * disk_reservation::kChunk);

  // Values on pages of their own, and one large group into a store of a few pages.
  for (int group = 0; group < 5; ++group) churn(3000 * (group + 1));
  {
    write_batch big;
    for (int i = 0; i < 5000; ++i, ++seq) {
      big.add_event(make_event(seq, 1500));
      big.new_pendings.push_back({seq, seq % 7 + 1, seq, 0, 0});
    }
    write_within(big);
  }
  // Walks of whole tables: a webhook deleted with its log, and every log cleaned.
  webhook w;
  w.key = 3;
  write_batch add;
  add.webhooks = {w};
  write_within(add);
  write_batch removal;
  removal.removed_webhooks = {3};
  write_within(removal);
  write_batch clean;
  clean.cleanup_keep = 1;
  write_within(clean);
}
