#include "bench/store_replay.hpp"

#include <unistd.h>

#include <ctime>
#include <deque>
#include <vector>

#include "bench/processes.hpp"

namespace hookshot::bench {
namespace {

// Bytes this process's threads have handed to write calls so far.
double bytes_written() {
  double bytes = 0;
  for (const auto& [role, usage] : thread_usage_by_role(getpid())) bytes += usage.written_bytes;
  return bytes;
}

}  // namespace

result<replay_figures> replay_writes(const replay_options& o) {
  if (o.deliveries == 0 || o.webhooks == 0 || o.backlog == 0 || o.per_commit == 0)
    return status::invalid_argument("replay sizes must be positive");
  bool write_map = o.durability == storage::durability::os;  // as the serving process opens it
  auto opened = storage::lmdb_store::open(o.dir, o.durability, storage::lmdb_store::kDefaultMapSize,
                                          nullptr, write_map);
  if (!opened) return opened.error();
  storage::lmdb_store& store = **opened;

  const std::string body = "{\"event\":\"VM.CREATE\",\"account\":\"acc-1\",\"pad\":\"" +
                           std::string(1000, 'x') + "\"}";
  const std::string uuid = "0d4c5a1e-2f3b-4c6d-8e9f-0a1b2c3d4e5f";
  std::deque<pending_delivery> waiting;
  std::uint64_t next_event = 1, next_pending = 1, next_record = 1, posted = 0, finished = 0;
  replay_figures f;
  std::vector<storage::write_batch> batches;
  std::vector<const storage::write_batch*> group;
  double written0 = bytes_written(), cpu0 = thread_cpu_seconds(), wall0 = mono_seconds();
  while (finished < o.deliveries) {
    batches.clear();
    if (waiting.size() < o.backlog && posted < o.deliveries) {
      storage::write_batch& b = batches.emplace_back();
      for (int i = 0; i < 100 && posted < o.deliveries; ++i, ++posted) {
        event e;
        e.seq = next_event++;
        e.id = uuid;
        e.type = "VM.CREATE";
        e.account_id = "acc-1";
        e.body = body;
        b.add_event(e);
        pending_delivery p{next_pending++, e.seq % o.webhooks + 1, e.seq, 0, 0};
        b.new_pendings.push_back(p);
        waiting.push_back(p);
      }
    }
    for (std::uint64_t i = 0; i < o.per_commit && !waiting.empty(); ++i, ++finished) {
      storage::write_batch& b = batches.emplace_back();
      pending_delivery p = waiting.front();
      waiting.pop_front();
      p.attempts = 1;
      b.finished_pendings.push_back(p);
      if (!o.records) continue;
      storage::record_fields r;
      r.seq = next_record++;
      r.id = uuid;
      r.webhook_key = p.webhook_key;
      r.webhook_id = uuid;
      r.webhook_name = "replay";
      r.event_id = uuid;
      r.event_type = "VM.CREATE";
      r.account_id = "acc-1";
      r.management_server_id = r.management_server_name = "replay";
      r.signature = "c2lnbmF0dXJlIG9mIHRoZSBib2R5IGluIGJhc2U2NCE=";
      r.event_seq = p.event_seq;
      r.payload = body;
      r.success = true;
      r.response = "ok";
      r.http_status = 200;
      r.attempts = 1;
      b.add_record(r);
    }
    group.clear();
    for (const auto& b : batches) group.push_back(&b);
    status st = store.write(group);
    if (!st) return st;
    ++f.commits;
  }
  // Released events are deleted some commits after their release, by the sweep. The replay
  // ends once it has caught up (every event left is one a kept record names), so deletes a
  // store puts off past the last delivery are counted like the others.
  using table = storage::lmdb_store::table;
  for (;;) {
    auto events = store.size_of(table::events);
    auto records = store.size_of(table::deliveries);
    if (!events) return events.error();
    if (!records) return records.error();
    f.events_left = events->records;
    f.records_left = records->records;
    if (f.events_left <= f.records_left) break;  // each kept record names its own event
    status st = store.write({});
    if (!st) return st;
    ++f.commits;
    ++f.catch_up_commits;
  }
  double cpu = thread_cpu_seconds() - cpu0, wall = mono_seconds() - wall0;
  double written = bytes_written() - written0;
  f.deliveries = finished;
  f.cpu_us_per_delivery = cpu * 1e6 / static_cast<double>(finished);
  f.wall_us_per_delivery = wall * 1e6 / static_cast<double>(finished);
  f.written_kib_per_delivery = written / 1024 / static_cast<double>(finished);

  auto pending = store.size_of(table::pending);
  if (!pending) return pending.error();
  f.pending_left = pending->records;
  return f;
}

}  // namespace hookshot::bench
