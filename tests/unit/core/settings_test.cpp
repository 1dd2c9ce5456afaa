#include "core/settings.hpp"

#include <catch2/catch.hpp>

using namespace hookshot;

TEST_CASE("settings resolve from the webhook's domain, then ancestors, then global", "[settings]") {
  auto tree = *domain_tree::build({{"root", "ROOT", ""},
                                   {"child", "child", "root"},
                                   {"grandchild", "grandchild", "child"},
                                   {"sibling", "sibling", "root"}});
  settings s({{"webhook.delivery.tries", "4"}},
             {{"child", {{"webhook.delivery.tries", "6"}, {"webhook.delivery.timeout", "3"}}},
              {"grandchild", {{"webhook.delivery.timeout", "1"}}}});
  CHECK(s.get("webhook.delivery.tries", "grandchild", &tree) == "6");    // from the parent
  CHECK(s.get("webhook.delivery.timeout", "grandchild", &tree) == "1");  // its own
  CHECK(s.get("webhook.delivery.tries", "sibling", &tree) == "4");       // global
  CHECK(s.get("webhook.delivery.timeout", "sibling", &tree) == "10");    // default
  CHECK(s.get("webhook.delivery.tries", "", &tree) == "4");

  auto d = s.delivery_for("grandchild", tree);
  CHECK(d.retry.tries == 6);
  CHECK(d.timeout_ms == 1000);
  CHECK(d.retry.backoff_s == std::vector<double>{1, 5, 30, 120, 600});
  CHECK(d.max_in_flight == 16);
}

TEST_CASE("setting values are validated against their kind", "[settings]") {
  const setting_spec* tries = find_setting("webhook.delivery.tries");
  REQUIRE(tries);
  CHECK(validate_setting(*tries, "0").is_ok());
  CHECK_FALSE(validate_setting(*tries, "-1").is_ok());
  CHECK_FALSE(validate_setting(*tries, "three").is_ok());
  auto err = validate_setting(*find_setting("webhook.delivery.backoff"), "1,x");
  CHECK_FALSE(err.is_ok());
  CHECK(err.message().find("webhook.delivery.backoff") != std::string::npos);
  CHECK(find_setting("webhook.delivery.retries") == nullptr);
}
