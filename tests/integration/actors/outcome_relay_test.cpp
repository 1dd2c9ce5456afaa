#include "actors/outcome_relay.hpp"

#include <catch2/catch.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "eventually.hpp"

using namespace hookshot;
using namespace hookshot::actors;
using hookshot::testing::eventually;

namespace {

// Stands in for a webhook actor: drains its box on outcomes_atom, as webhook_actor does.
// `box` is filled in right after the spawn (a box names its actor), before any outcome.
caf::behavior counting_webhook(caf::event_based_actor*, const std::shared_ptr<outcome_box>* box,
                               std::atomic<size_t>* outcomes, std::atomic<size_t>* turns) {
  return {
      [=](outcomes_atom) {
        std::vector<outcome_msg> batch;
        {
          std::lock_guard lock((*box)->mutex);
          batch.swap((*box)->items);
        }
        outcomes->fetch_add(batch.size());
        turns->fetch_add(1);
      },
  };
}

// What an HTTP loop's done callback does: the outcome into the box, the box to the relay's
// inbox when it was empty. The loop hands the inbox over separately (on_completions).
void complete(relay_inbox& inbox, const std::shared_ptr<outcome_box>& box, std::uint64_t seq) {
  bool first = false;
  {
    std::lock_guard lock(box->mutex);
    first = box->items.empty();
    box->items.push_back(outcome_msg{seq, {}, {}});
  }
  if (first) inbox.post(box);
}

}  // namespace

TEST_CASE("the relay brings every outcome from many threads to its webhook actor", "[actors]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  relay_inbox inbox;
  caf::actor relay = sys.spawn(outcome_relay, &inbox);
  inbox.set_relay(relay);

  constexpr size_t kWebhooks = 200, kThreads = 4, kPerThread = 5000;
  std::atomic<size_t> outcomes{0}, turns{0};
  std::vector<caf::actor> hooks;
  std::vector<std::shared_ptr<outcome_box>> boxes(kWebhooks);
  for (size_t i = 0; i < kWebhooks; ++i) {
    hooks.push_back(sys.spawn(counting_webhook, &boxes[i], &outcomes, &turns));
    boxes[i] = std::make_shared<outcome_box>(hooks.back().address());
  }

  std::vector<std::thread> loops;
  for (size_t t = 0; t < kThreads; ++t)
    loops.emplace_back([&, t] {
      for (size_t i = 0; i < kPerThread; ++i) {
        complete(inbox, boxes[(t * 7 + i) % kWebhooks], i);
        if (i % 64 == 63) inbox.hand_over();  // a window's worth of completions
      }
      inbox.hand_over();
    });
  for (auto& l : loops) l.join();

  REQUIRE(eventually([&] { return outcomes.load() == kThreads * kPerThread; }));
  // Bursts were batched: fewer actor turns than outcomes, never an outcome left in a box.
  CHECK(turns.load() <= outcomes.load());
  for (auto& box : boxes) {
    std::lock_guard lock(box->mutex);
    CHECK(box->items.empty());
  }

  // A webhook actor that is gone is skipped; the others still get theirs.
  caf::anon_send_exit(hooks[0], caf::exit_reason::user_shutdown);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  size_t before = outcomes.load();
  complete(inbox, boxes[0], 1);
  complete(inbox, boxes[1], 2);
  // Posted but not handed over: nothing moves until the loop hands the inbox over.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(outcomes.load() == before);
  inbox.hand_over();
  REQUIRE(eventually([&] { return outcomes.load() == before + 1; }));
  {
    std::lock_guard lock(boxes[0]->mutex);
    CHECK(boxes[0]->items.size() == 1);  // nobody took it
  }

  inbox.set_relay(nullptr);
  complete(inbox, boxes[2], 3);  // after shutdown: dropped, nothing sent
  inbox.hand_over();
  CHECK(outcomes.load() == before + 1);
  for (auto& h : hooks) caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
  caf::anon_send(relay, stop_atom_v);
}
