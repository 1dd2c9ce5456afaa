#include "core/filter.hpp"

#include <catch2/catch.hpp>

using namespace hookshot;

namespace {

webhook_filter f(filter_mode mode, match_type match, std::string value, std::uint64_t key = 1) {
  webhook_filter x;
  x.key = key;
  x.mode = mode;
  x.match = match;
  x.value = std::move(value);
  return x;
}

constexpr auto inc = filter_mode::include;
constexpr auto exc = filter_mode::exclude;

}  // namespace

TEST_CASE("match types compare the event type case-sensitively", "[filter]") {
  CHECK(filter_matches(f(inc, match_type::exact, "VM.CREATE"), "VM.CREATE"));
  CHECK_FALSE(filter_matches(f(inc, match_type::exact, "VM.CREATE"), "vm.create"));
  CHECK(filter_matches(f(inc, match_type::prefix, "VM."), "VM.START"));
  CHECK_FALSE(filter_matches(f(inc, match_type::prefix, "VM."), "VOLUME.CREATE"));
  CHECK(filter_matches(f(inc, match_type::suffix, ".CREATE"), "VOLUME.CREATE"));
  CHECK_FALSE(filter_matches(f(inc, match_type::suffix, ".CREATE"), "VM.DESTROY"));
  CHECK(filter_matches(f(inc, match_type::contains, "USER"), "REGISTER.USER.KEY"));
  CHECK_FALSE(filter_matches(f(inc, match_type::contains, "USER"), "VM.CREATE"));
}

TEST_CASE("exclude wins, includes are any-of, no filters lets everything through", "[filter]") {
  CHECK(filters_pass({}, "ANY"));
  std::vector<webhook_filter> user_but_login = {f(inc, match_type::prefix, "USER."),
                                                f(exc, match_type::exact, "USER.LOGIN")};
  CHECK_FALSE(filters_pass(user_but_login, "USER.LOGIN"));
  CHECK(filters_pass(user_but_login, "USER.LOGOUT"));
  CHECK_FALSE(filters_pass(user_but_login, "VM.CREATE"));
  std::vector<webhook_filter> two = {f(inc, match_type::exact, "A"), f(inc, match_type::exact, "B")};
  CHECK(filters_pass(two, "B"));
  CHECK(filters_pass({f(exc, match_type::exact, "A")}, "B"));
}

TEST_CASE("conflicts follow CloudStack's directional rule", "[filter]") {
  // The spec's test-backed examples.
  CHECK(conflicting_filter({f(exc, match_type::prefix, "value.old")}, f(inc, match_type::exact, "value")) == nullptr);
  CHECK(conflicting_filter({f(exc, match_type::prefix, "value")}, f(inc, match_type::exact, "value.extra")) != nullptr);
  CHECK(conflicting_filter({f(inc, match_type::exact, "VM.CREATE")}, f(exc, match_type::exact, "VM.CREATE")) != nullptr);
  // Duplicates ignore case; different match types of the same mode do not conflict.
  CHECK(conflicting_filter({f(inc, match_type::exact, "vm.create", 7)}, f(inc, match_type::exact, "VM.CREATE"))->key == 7);
  CHECK(conflicting_filter({f(inc, match_type::exact, "VM")}, f(inc, match_type::prefix, "VM")) == nullptr);
  CHECK(conflicting_filter({f(inc, match_type::suffix, ".CREATE")}, f(exc, match_type::suffix, "VM.CREATE")) != nullptr);
  CHECK(conflicting_filter({f(inc, match_type::suffix, ".CREATE")}, f(exc, match_type::prefix, "VM.CREATE")) == nullptr);
  CHECK(conflicting_filter({f(inc, match_type::contains, "USER")}, f(exc, match_type::prefix, "REGISTER.USER")) != nullptr);
}

TEST_CASE("modes and match types parse case-insensitively", "[filter]") {
  CHECK(parse_filter_mode("exclude") == filter_mode::exclude);
  CHECK(parse_match_type("CONTAINS") == match_type::contains);
  CHECK_FALSE(parse_filter_mode("maybe").has_value());
  CHECK_FALSE(parse_match_type("regex").has_value());
}
