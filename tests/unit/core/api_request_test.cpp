#include "core/api_request.hpp"

#include <catch2/catch.hpp>

using namespace hookshot;

TEST_CASE("API signatures match what python3-cs computes", "[api]") {
  // Vectors produced by Debian's python3-cs (cs.client.CloudStack._sign).
  api_params simple{{"command", "listWebhooks"}, {"apiKey", "demo-admin-api-key"}, {"response", "json"}};
  CHECK(api_signature(simple, "demo-admin-secret-key") == "97p+eHoAPHAKN8P7U6yHpmcI+nI=");
  CHECK(verify_api_signature(simple, "demo-admin-secret-key", "97p+eHoAPHAKN8P7U6yHpmcI+nI="));
  CHECK_FALSE(verify_api_signature(simple, "other-secret", "97p+eHoAPHAKN8P7U6yHpmcI+nI="));
  CHECK_FALSE(verify_api_signature(simple, "demo-admin-secret-key", ""));

  api_params rich{{"command", "createWebhook"},
                  {"apiKey", "demo-admin-api-key"},
                  {"response", "json"},
                  {"name", "My Hook"},
                  {"payloadurl", "https://example.com/a?b=c&d=e~f"},
                  {"description", "\xc3\xbc" "n" "\xc3\xaf" "code *stars* +plus"},
                  {"signatureVersion", "3"},
                  {"expires", "2026-11-30T10:50:00+0000"}};
  // python3-cs keeps "~" unencoded; CloudStack's own encoding would write %7E.
  CHECK(api_signature(rich, "demo-admin-secret-key", true) == "M2BOx9r6bQAvLIrTLZrWrBf/AVg=");
  CHECK(verify_api_signature(rich, "demo-admin-secret-key", "M2BOx9r6bQAvLIrTLZrWrBf/AVg="));
  CHECK(verify_api_signature(rich, "demo-admin-secret-key", api_signature(rich, "demo-admin-secret-key")));
}

TEST_CASE("the signed text sorts names, encodes values like Java and lower-cases it all", "[api]") {
  api_params p{{"b", "x y"}, {"A", "1+1=2"}, {"signature", "ignored"}, {"c", "-_.*~/"}};
  CHECK(signed_text(p) == "a=1%2b1%3d2&b=x%20y&c=-_.*%7e%2f");
  CHECK(cloudstack_encode("\xc3\xa9") == "%C3%A9");
}

TEST_CASE("query strings and form bodies decode", "[api]") {
  auto p = parse_api_params("command=listWebhooks&name=a+b%20c&empty=&flag&x=%41");
  REQUIRE(p);
  CHECK(p->at("command") == "listWebhooks");
  CHECK(p->at("name") == "a b c");
  CHECK(p->at("empty").empty());
  CHECK(p->at("flag").empty());
  CHECK(p->at("x") == "A");
  CHECK(param(*p, "COMMAND") == "listWebhooks");
  CHECK(has_param(*p, "Name"));
  CHECK_FALSE(has_param(*p, "nope"));
  CHECK_FALSE(parse_api_params("a=%4").is_ok());
  CHECK_FALSE(parse_api_params("a=%zz").is_ok());
}

TEST_CASE("expires accepts CloudStack's and ISO time zones", "[api]") {
  CHECK(*parse_expires("2026-11-30T10:50:00+0000") == 1796035800000);
  CHECK(*parse_expires("2026-11-30T16:20:00+0530") == 1796035800000);
  CHECK(*parse_expires("2026-11-30T10:50:00Z") == 1796035800000);
  CHECK(*parse_expires("2026-11-30T05:50:00-05:00") == 1796035800000);
  CHECK_FALSE(parse_expires("tomorrow").is_ok());
  CHECK_FALSE(parse_expires("2026-11-30T10:50:00+5").is_ok());
}

TEST_CASE("repeated parameters are refused, whatever their case", "[api_request]") {
  CHECK(parse_api_params("name=a&name=b").error().message() == "Parameter name is given more than once");
  CHECK(parse_api_params("name=a&NAME=b").error().message() == "Parameter NAME is given more than once");
  CHECK(parse_api_params("name=a&names=b").value().size() == 2);
}

TEST_CASE("UTF-8 validation refuses overlong forms, surrogates and stray bytes", "[api_request]") {
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80"));
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("\xc3"));              // truncated
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong "/"
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // a surrogate
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\x80" "abc"));
  CHECK(utf8_length("\xc3\xa9\xc3\xa9x") == 3);
}
