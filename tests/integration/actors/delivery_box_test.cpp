// The delivery box on its own: when a put asks for a message to the owner, and what it counts.

#include "actors/delivery_box.hpp"

#include <catch2/catch.hpp>

using namespace hookshot;
using namespace hookshot::actors;

namespace {

std::vector<work_item> items(std::uint64_t first, std::uint64_t last) {
  std::vector<work_item> out;
  for (std::uint64_t seq = first; seq <= last; ++seq) out.push_back(work_item(pending_delivery{seq, 1, seq, 0, 0}, nullptr));
  return out;
}

std::vector<std::uint64_t> seqs(const std::vector<work_item>& taken) {
  std::vector<std::uint64_t> out;
  for (const auto& item : taken) out.push_back(item.seq);
  return out;
}

}  // namespace

TEST_CASE("a box wakes its owner when it asked, once, and counts what it is given", "[actors]") {
  std::atomic<std::int64_t> pending{0};
  delivery_box box(&pending);
  std::vector<work_item> taken;

  // A new owner has room: the first put wakes it, the next waits for that message.
  CHECK(box.put(items(1, 1)));
  CHECK_FALSE(box.put(items(2, 3)));
  CHECK(pending.load() == 3);
  taken = box.take(true, 256);
  CHECK(seqs(taken) == std::vector<std::uint64_t>{1, 2, 3});

  // It took something, so it looks again when it next has room: no message for new ones.
  CHECK_FALSE(box.put(items(4, 4)));
  taken = box.take(true, 256);
  CHECK(seqs(taken) == std::vector<std::uint64_t>{4});
  // Room and an empty box: the next put wakes it.
  taken = box.take(true, 256);
  CHECK(taken.empty());
  CHECK(box.put(items(5, 5)));
  CHECK(pending.load() == 5);  // the owner counts them out as they end
}

TEST_CASE("an owner without room is woken once the box holds what its line has left", "[actors]") {
  std::atomic<std::int64_t> pending{0};
  delivery_box box(&pending);
  std::vector<work_item> taken;

  // At its cap with room for 10 more in its line: nine wait, the tenth wakes it.
  taken = box.take(false, 10);
  CHECK_FALSE(box.put(items(1, 9)));
  CHECK(box.put(items(10, 10)));
  CHECK_FALSE(box.put(items(11, 11)));  // a message is on its way
  // It takes all 11 into a line that had room for 10: from now on every put wakes it.
  taken = box.take(false, 10);
  CHECK(taken.size() == 11);
  CHECK(box.put(items(12, 12)));
  taken = box.take(false, 0);
  CHECK(box.put(items(13, 13)));
  CHECK(pending.load() == 13);

  // An empty put changes nothing.
  std::vector<work_item> none;
  CHECK_FALSE(box.put(std::move(none)));
}
