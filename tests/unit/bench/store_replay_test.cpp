#include "bench/store_replay.hpp"

#include <catch2/catch.hpp>

#include "temp_dir.hpp"

using hookshot::bench::replay_options;
using hookshot::bench::replay_writes;
using hookshot::storage::durability;

TEST_CASE("the store replay finishes every delivery and leaves each log at its length", "[bench]") {
  for (auto d : {durability::fsync, durability::os})
    for (bool records : {true, false}) {
      hookshot::testing::temp_dir dir;
      replay_options o;
      o.dir = dir.path + "/data";
      o.durability = d;
      o.records = records;
      o.deliveries = 3000;
      o.webhooks = 8;
      o.backlog = 500;
      o.per_commit = 25;
      auto f = replay_writes(o);
      REQUIRE(f);
      CHECK(f->deliveries == 3000);
      CHECK(f->commits >= 3000 / 25);
      CHECK(f->pending_left == 0);
      // Each of the 8 logs keeps its newest 10 records, and each of those keeps its event.
      CHECK(f->records_left == (records ? 8 * 10 : 0));
      CHECK(f->events_left == f->records_left);  // one event per record: fan-out 1
      CHECK(f->cpu_us_per_delivery > 0);
      if (d == durability::fsync) CHECK(f->written_kib_per_delivery > 0);
    }
}

TEST_CASE("the store replay refuses empty sizes", "[bench]") {
  hookshot::testing::temp_dir dir;
  replay_options o;
  o.dir = dir.path + "/data";
  o.webhooks = 0;
  auto f = replay_writes(o);
  REQUIRE_FALSE(f);
  CHECK(f.error().error_code() == hookshot::status::code::invalid_argument);
}
