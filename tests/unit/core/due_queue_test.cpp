#include "core/due_queue.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using hookshot::due_queue;

namespace {

struct entry {
  std::int64_t due_ms = 0;
  std::uint64_t seq = 0;
  std::string payload;  // moved through the heap with its entry
};

std::vector<std::uint64_t> take(due_queue<entry>& q, std::int64_t until) {
  std::vector<std::uint64_t> out;
  q.take_due(until, [&](entry&& e) {
    CHECK(e.payload == "p" + std::to_string(e.seq));
    out.push_back(e.seq);
  });
  return out;
}

entry make(std::int64_t due, std::uint64_t seq) { return entry{due, seq, "p" + std::to_string(seq)}; }

}  // namespace

TEST_CASE("due_queue hands out what is due, earliest first, equal times in seq order", "[core]") {
  due_queue<entry> q;
  CHECK(q.empty());
  CHECK(q.capacity() == 0);  // an idle webhook's queue allocates nothing
  q.push(make(300, 7));
  q.push(make(100, 9));
  q.push(make(200, 3));
  q.push(make(100, 4));
  CHECK(q.size() == 4);
  CHECK(q.next_due() == 100);
  size_t visited = 0;
  q.for_each([&](entry& e) { visited += e.payload.empty() ? 0 : 1; });
  CHECK(visited == 4);
  CHECK(take(q, 99).empty());
  CHECK(take(q, 100) == std::vector<std::uint64_t>{4, 9});
  CHECK(q.next_due() == 200);
  q.push(make(150, 1));
  CHECK(take(q, 250) == std::vector<std::uint64_t>{1, 3});
  CHECK(take(q, 1000) == std::vector<std::uint64_t>{7});
  CHECK(q.empty());
}

TEST_CASE("a due_queue that empties gives back a large allocation", "[core]") {
  due_queue<entry> q;
  for (std::uint64_t s = 0; s < 100000; ++s) q.push(entry{static_cast<std::int64_t>(s % 977), s, {}});
  std::int64_t last = -1;
  size_t taken = 0;
  q.take_due(1000, [&](entry&& e) {
    REQUIRE(e.due_ms == static_cast<std::int64_t>(e.seq % 977));
    REQUIRE(e.due_ms >= last);
    last = e.due_ms;
    ++taken;
  });
  CHECK(taken == 100000);
  CHECK(q.capacity() == 0);
}
