#pragma once

// The writer alone: throughput's pattern of writes replayed through lmdb_store::write on the
// calling thread, with no HTTP, no actors and no other process sharing the cores. It isolates
// what storage costs per delivery (and what a change to the store saves) from the end-to-end
// run, where the writer's figure moves with everything else on the machine.
//
// The pattern: intake batches of 100 one-KiB events with one pending delivery each (webhook =
// event seq mod webhooks) while fewer than `backlog` deliveries wait; each commit also
// finishes the `per_commit` oldest waiting deliveries, one batch each (as webhook actors flush
// them), each with a delivery record naming its event unless `records` is false. Once every
// delivery finished, empty commits follow until the store's sweep has deleted every event no
// kept record names: the figures count all the work the deliveries caused, however long a
// store puts its deletes off.

#include <cstdint>
#include <string>

#include "core/status.hpp"
#include "storage/lmdb_store.hpp"

namespace hookshot::bench {

struct replay_options {
  std::string dir;  // a data directory that does not exist yet (created, left behind)
  storage::durability durability = storage::durability::fsync;
  std::uint64_t deliveries = 200000;
  std::uint64_t webhooks = 64;
  std::uint64_t backlog = 20000;
  std::uint64_t per_commit = 40;
  bool records = true;
};

struct replay_figures {
  std::uint64_t deliveries = 0;
  std::uint64_t commits = 0;
  std::uint64_t catch_up_commits = 0;  // of those, the empty ones after the last delivery
  double cpu_us_per_delivery = 0;   // this thread's user + sys
  double wall_us_per_delivery = 0;  // includes the device flushes with fsync
  double written_kib_per_delivery = 0;  // bytes this process wrote (LMDB's pwrite), in KiB
  // Left in the store at the end: nothing pending, at most webhooks × keep records, and only
  // the events those records name.
  std::uint64_t pending_left = 0;
  std::uint64_t records_left = 0;
  std::uint64_t events_left = 0;
};

/// Runs the replay. Errors: the store's (open, write) and invalid_argument for zero sizes.
result<replay_figures> replay_writes(const replay_options& o);

}  // namespace hookshot::bench
