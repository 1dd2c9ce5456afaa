#include "core/routing_index.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

#include "core/domain_tree.hpp"

using namespace hookshot;

namespace {

// ROOT -> child -> grandchild, and ROOT -> sibling.
domain_tree tree() {
  return *domain_tree::build({{"root", "ROOT", ""},
                              {"child", "child", "root"},
                              {"sibling", "sibling", "root"},
                              {"grandchild", "grandchild", "child"}});
}

webhook hook(std::uint64_t key, scope s, std::string account, std::string dom,
             webhook_state st = webhook_state::enabled) {
  webhook w;
  w.key = key;
  w.scope_ = s;
  w.account_id = std::move(account);
  w.domain_id = std::move(dom);
  w.state = st;
  return w;
}

std::vector<std::uint64_t> sorted(std::vector<std::uint64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("scope matching follows CloudStack's selection rules", "[routing]") {
  auto t = tree();
  routing_index idx;
  idx.upsert(hook(1, scope::global, "root-admin", "root"));
  idx.upsert(hook(2, scope::domain, "child-admin", "child"));
  idx.upsert(hook(3, scope::local, "alice", "grandchild"));
  idx.upsert(hook(4, scope::domain, "sib-admin", "sibling"));
  idx.upsert(hook(5, scope::local, "bob", "grandchild"));
  idx.upsert(hook(6, scope::domain, "root-admin", "root"));

  SECTION(
      "an event in a grandchild domain reaches Global, every ancestor's Domain webhook, "
      "and the owner's Local one") {
    auto m = idx.match("alice", t.ancestors_of("grandchild"));
    CHECK(sorted(m) == std::vector<std::uint64_t>{1, 2, 3, 6});
  }
  SECTION("a sibling domain's Domain webhook never matches") {
    auto m = idx.match("carol", t.ancestors_of("child"));
    CHECK(sorted(m) == std::vector<std::uint64_t>{1, 2, 6});
  }
  SECTION("Local matches only its owner account") {
    auto m = idx.match("bob", t.ancestors_of("grandchild"));
    CHECK(std::count(m.begin(), m.end(), 3) == 0);
    CHECK(std::count(m.begin(), m.end(), 5) == 1);
  }
  SECTION("an event whose domain is unknown reaches Global and that account's Local only") {
    CHECK(sorted(idx.match("alice", {})) == std::vector<std::uint64_t>{1, 3});
  }
  SECTION("an event in the sibling reaches its own Domain webhook, not the child's") {
    CHECK(sorted(idx.match("dave", t.ancestors_of("sibling"))) ==
          std::vector<std::uint64_t>{1, 4, 6});
  }
}

TEST_CASE("disabled webhooks receive nothing, and re-enabling restores them", "[routing]") {
  auto t = tree();
  routing_index idx;
  idx.upsert(hook(1, scope::global, "a", "root", webhook_state::disabled));
  CHECK(idx.match("a", t.ancestors_of("root")).empty());
  idx.upsert(hook(1, scope::global, "a", "root"));
  CHECK(idx.match("a", t.ancestors_of("root")) == std::vector<std::uint64_t>{1});
}

TEST_CASE("moving a webhook to another scope leaves no trace in the old bucket", "[routing]") {
  auto t = tree();
  routing_index idx;
  idx.upsert(hook(7, scope::local, "alice", "child"));
  idx.upsert(hook(7, scope::domain, "alice", "sibling"));
  CHECK(idx.match("alice", t.ancestors_of("child")).empty());
  CHECK(idx.match("x", t.ancestors_of("sibling")) == std::vector<std::uint64_t>{7});
  idx.remove(7);
  CHECK(idx.size() == 0);
  CHECK(idx.match("x", t.ancestors_of("sibling")).empty());
}

TEST_CASE("the domain tree rejects malformed hierarchies", "[routing]") {
  CHECK_FALSE(domain_tree::build({}).is_ok());
  CHECK_FALSE(domain_tree::build({{"a", "A", ""}, {"b", "B", ""}}).is_ok());
  CHECK_FALSE(domain_tree::build({{"a", "A", ""}, {"b", "B", "nope"}}).is_ok());
  CHECK_FALSE(domain_tree::build({{"a", "A", ""}, {"b", "B", "c"}, {"c", "C", "b"}}).is_ok());
  CHECK_FALSE(domain_tree::build({{"a", "A", ""}, {"a", "A2", ""}}).is_ok());
  auto t = tree();
  CHECK(t.path_of("grandchild") == "ROOT/child/grandchild");
  CHECK(t.is_within("grandchild", "root"));
  CHECK_FALSE(t.is_within("sibling", "child"));
}
