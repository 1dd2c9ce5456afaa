#include "core/fifo.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <vector>

using hookshot::fifo;

TEST_CASE("fifo hands out what it holds oldest first", "[core]") {
  fifo<std::uint64_t> line;
  CHECK(line.empty());
  CHECK(line.capacity() == 0);  // an idle webhook's line allocates nothing
  for (std::uint64_t s = 1; s <= 5; ++s) line.push(s);
  CHECK(line.size() == 5);
  CHECK(line.pop() == 1);
  CHECK(line.pop() == 2);
  line.push(6);
  std::vector<std::uint64_t> seen;
  line.for_each([&](std::uint64_t& s) { seen.push_back(s); });
  CHECK(seen == std::vector<std::uint64_t>{3, 4, 5, 6});
  for (std::uint64_t s = 3; s <= 6; ++s) CHECK(line.pop() == s);
  CHECK(line.empty());
}

TEST_CASE("a fifo moves its entries in and out", "[core]") {
  fifo<std::unique_ptr<int>> line;
  line.push(std::make_unique<int>(1));
  line.push(std::make_unique<int>(2));
  auto first = line.pop();
  CHECK(*first == 1);
  CHECK(*line.pop() == 2);
  CHECK(line.empty());
}

TEST_CASE("a line that never empties keeps memory in proportion to what it holds", "[core]") {
  fifo<std::uint64_t> line;
  std::uint64_t next_in = 1, next_out = 1;
  for (int i = 0; i < 100; ++i) line.push(next_in++);
  // A steady backlog: a million deliveries go through while about 100 wait at any time.
  for (int i = 0; i < 1000000; ++i) {
    line.push(next_in++);
    REQUIRE(line.pop() == next_out++);
  }
  CHECK(line.size() == 100);
  CHECK(line.capacity() < 4096);
}
