#include "core/due_queue.hpp"

#include <catch2/catch.hpp>
#include <vector>

using hookshot::due_queue;

namespace {
std::vector<std::uint64_t> take(due_queue& q, std::int64_t until) {
  std::vector<std::uint64_t> out;
  q.take_due(until, [&](std::uint64_t seq) { out.push_back(seq); });
  return out;
}
}  // namespace

TEST_CASE("due_queue hands out what is due, earliest first, equal times in seq order", "[core]") {
  due_queue q;
  CHECK(q.empty());
  CHECK(q.capacity() == 0);  // an idle webhook's queue allocates nothing
  q.push(300, 7);
  q.push(100, 9);
  q.push(200, 3);
  q.push(100, 4);
  CHECK(q.size() == 4);
  CHECK(q.next_due() == 100);
  CHECK(take(q, 99).empty());
  CHECK(take(q, 100) == std::vector<std::uint64_t>{4, 9});
  CHECK(q.next_due() == 200);
  q.push(150, 1);
  CHECK(take(q, 250) == std::vector<std::uint64_t>{1, 3});
  CHECK(take(q, 1000) == std::vector<std::uint64_t>{7});
  CHECK(q.empty());
}

TEST_CASE("a due_queue that empties gives back a large allocation", "[core]") {
  due_queue q;
  for (std::uint64_t s = 0; s < 100000; ++s) q.push(static_cast<std::int64_t>(s % 977), s);
  std::int64_t last = -1;
  size_t taken = 0;
  q.take_due(1000, [&](std::uint64_t seq) {
    auto due = static_cast<std::int64_t>(seq % 977);
    REQUIRE(due >= last);
    last = due;
    ++taken;
  });
  CHECK(taken == 100000);
  CHECK(q.capacity() == 0);
}
