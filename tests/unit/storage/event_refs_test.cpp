#include "storage/event_refs.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <algorithm>
#include <map>
#include <random>

using hookshot::storage::event_refs;

namespace {

// Every seq from 0 to `last` answers as the reference map says.
void check_same(const event_refs& refs, const std::map<std::uint64_t, int>& want, std::uint64_t last) {
  size_t named = 0;
  for (std::uint64_t seq = 0; seq <= last; ++seq) {
    auto it = want.find(seq);
    bool expected = it != want.end() && it->second > 0;
    named += expected;
    if (refs.contains(seq) != expected) FAIL("seq " << seq << " named: " << expected);
  }
  CHECK(refs.size() == named);
  // first_unnamed agrees, from every 97th seq and with limits short and long.
  for (std::uint64_t from = 0; from <= last; from += 97)
    for (std::uint64_t span : {1, 5, 300, 100000}) {
      std::uint64_t want_first = from;
      while (want_first < from + span) {
        auto it = want.find(want_first);
        if (it == want.end() || it->second <= 0) break;
        ++want_first;
      }
      if (refs.first_unnamed(from, from + span) != want_first)
        FAIL("first unnamed from " << from << " within " << span << ": " << want_first);
    }
}

}  // namespace

TEST_CASE("event refs count up and down, in and behind the window", "[storage]") {
  event_refs refs;
  CHECK_FALSE(refs.contains(7));
  refs.add(7, 1);
  refs.add(8, 2);
  refs.add(9, 1);
  CHECK(refs.contains(7));
  CHECK(refs.size() == 3);
  refs.add(8, -1);
  CHECK(refs.contains(8));
  refs.add(8, -1);
  CHECK_FALSE(refs.contains(8));
  refs.add(8, -1);  // dropped once too often (a failed transaction's undo order): stays unnamed
  CHECK_FALSE(refs.contains(8));
  refs.add(7, -1);  // the front goes: the window starts at 9
  CHECK_FALSE(refs.contains(7));
  CHECK(refs.window_length() == 1);
  refs.add(3, 1);  // behind the window (read back at open out of order)
  CHECK(refs.contains(3));
  CHECK(refs.far_count() == 1);
  CHECK(refs.size() == 2);
  refs.add(3, -1);
  CHECK_FALSE(refs.contains(3));
  CHECK(refs.far_count() == 0);
  refs.add(100, -1);  // never named
  CHECK_FALSE(refs.contains(100));
  CHECK(refs.size() == 1);
}

TEST_CASE("an old event still named moves out of the window, which stays short", "[storage]") {
  event_refs refs;
  refs.add(1, 1);  // a delivery waiting for its retry while a million events come and go
  for (std::uint64_t seq = 2; seq < 1000000; ++seq) {
    refs.add(seq, 1);
    if (seq > 101) refs.add(seq - 100, -1);  // event 1 stays named
  }
  CHECK(refs.contains(1));
  CHECK(refs.far_count() == 1);
  CHECK(refs.window_length() <= event_refs::kSlack + 4 * 100 + 1);
  CHECK(refs.size() == 101);
  for (std::uint64_t seq = 999900; seq < 1000000; ++seq) CHECK(refs.contains(seq));
  CHECK_FALSE(refs.contains(999899));
}

TEST_CASE("a seq far past the window moves what the window holds to the map", "[storage]") {
  event_refs refs;
  refs.add(10, 1);
  refs.add(12, 1);
  refs.add(5000000000ull, 1);
  CHECK(refs.window_length() == 1);
  CHECK(refs.far_count() == 2);
  CHECK(refs.contains(10));
  CHECK(refs.contains(12));
  CHECK_FALSE(refs.contains(11));
  CHECK(refs.contains(5000000000ull));
}

TEST_CASE("first_unnamed steps over a run of named events, in the window and behind it", "[storage]") {
  event_refs refs;
  for (std::uint64_t seq = 10; seq < 5000; ++seq) refs.add(seq, 1);
  refs.add(2000, -1);
  CHECK(refs.first_unnamed(10, 6000) == 2000);
  CHECK(refs.first_unnamed(2001, 6000) == 5000);  // past the window nothing is named
  CHECK(refs.first_unnamed(2001, 3000) == 3000);  // every one up to the limit is named
  CHECK(refs.first_unnamed(3, 6000) == 3);
  CHECK(refs.first_unnamed(7, 7) == 7);
  // An old event left behind the window (in the map) is named too; its neighbours are not.
  for (std::uint64_t seq = 10; seq < 5000; ++seq)
    if (seq != 2000 && seq != 11) refs.add(seq, -1);
  for (std::uint64_t seq = 100000; seq < 100010; ++seq) refs.add(seq, 1);
  REQUIRE(refs.far_count() == 1);
  CHECK(refs.first_unnamed(11, 100) == 12);
  CHECK(refs.first_unnamed(100000, 200000) == 100010);
}

TEST_CASE("event refs agree with a plain map under random traffic", "[storage]") {
  std::mt19937_64 rng(20261202);
  event_refs refs;
  std::map<std::uint64_t, int> want, stuck;
  std::uint64_t next = 1;
  const std::uint64_t last = 60000;
  size_t most_behind = 0;  // counts the window left behind, at most (the map's path is taken)
  for (int step = 0; step < 200000; ++step) {
    std::uint64_t seq = 0;
    int delta = 0;
    switch (rng() % 8) {
      case 0: case 1:  // a new event, one or two deliveries
        if (next >= last) continue;
        seq = next++;
        delta = 1 + static_cast<int>(rng() % 2);
        if (rng() % 500 == 0) {  // and a delivery that keeps retrying until the end
          refs.add(seq, 1);
          stuck[seq] = 1;
        }
        break;
      case 2:  // a record names a stored event
        seq = next > 1 ? 1 + rng() % (next - 1) : 0;
        if (!want.count(seq)) continue;
        delta = 1;
        break;
      default:  // a delivery finishes or a record is trimmed: mostly the oldest event first
        if (want.empty()) continue;
        seq = rng() % 4 ? want.begin()->first : 1 + rng() % (next - 1);
        if (!want.count(seq)) continue;
        delta = -1;
        break;
    }
    refs.add(seq, delta);
    int& n = want[seq];
    n += delta;
    if (n <= 0) want.erase(seq);
    most_behind = std::max(most_behind, refs.far_count());
  }
  CHECK(most_behind > 0);
  std::map<std::uint64_t, int> all = want;
  for (auto [seq, n] : stuck) all[seq] += n;
  check_same(refs, all, last);
  for (auto [seq, n] : all) refs.add(seq, -n);
  check_same(refs, {}, last);
  CHECK(refs.window_length() == 0);
  CHECK(refs.far_count() == 0);
}
