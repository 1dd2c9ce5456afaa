#include "core/signature.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace hookshot;

TEST_CASE("X-CS-Signature matches CloudStack's own unit-test vector", "[signature]") {
  // From CloudStack's WebhookDeliveryThread test (spec section 6.3).
  CHECK(
      sign_payload(
          "Pj4pnwSUBZ4wQFXw2zWdVY1k5Ku9bIy70wCNG1DmS8keO7QapCLw2Axtgc2nEPYzfFCfB38ATNLt6caDqU2dSw",
          "CloudStack works!") == "HYLWSII5Ap23WeSaykNsIo6mOhmV3d18s5p2cq2ebCA=");
}

TEST_CASE("X-CS-Signature of the default test payload", "[signature]") {
  CHECK(sign_payload("secret", R"({ "CloudStack": "works!" })") ==
        "CRfEU8lXIysqqrH8HyBY2L17lzEuCRYKb0OQiIo/pto=");
}

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2", "[signature]") {
  CHECK(sign_payload("Jefe", "what do ya want for nothing?") ==
        "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
}

TEST_CASE("a keyed signer gives the same answer on every call", "[signature]") {
  hmac_sha256 signer("secret");
  std::string first = signer.sign_base64("payload");
  CHECK(signer.sign_base64("payload") == first);
  CHECK(signer.sign_base64("other") != first);
  hmac_sha256 moved = std::move(signer);
  CHECK(moved.sign_base64("payload") == first);
}

TEST_CASE("a keyed signer starts every message afresh, whatever came before", "[signature]") {
  // The context is reused: each signature must equal a fresh signer's, in any order, and
  // also after a message that was longer than a SHA-256 block (partial state left behind).
  hmac_sha256 signer("Jefe");
  std::string long_body(5000, 'x');
  CHECK(signer.sign_base64(long_body) == sign_payload("Jefe", long_body));
  CHECK(signer.sign_base64("what do ya want for nothing?") ==
        "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
  CHECK(signer.sign_base64("") == sign_payload("Jefe", ""));
  CHECK(signer.sign_base64("what do ya want for nothing?") ==
        "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
}

TEST_CASE("an empty key is a valid HMAC key", "[signature]") {
  CHECK(sign_payload("", "") == "thNnmggU2ex3L5XXeMNfxf8Wl8STcVZTxscSFEKSxa0=");
}

TEST_CASE("base64 round trip and rejection of malformed text", "[signature]") {
  std::string out;
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    REQUIRE(base64_decode(base64_encode(s), out));
    CHECK(out == s);
  }
  CHECK_FALSE(base64_decode("abc", out));
  CHECK_FALSE(base64_decode("ab!=", out));
}

TEST_CASE("constant_time_equals compares content and length", "[signature]") {
  CHECK(constant_time_equals("abc", "abc"));
  CHECK_FALSE(constant_time_equals("abc", "abd"));
  CHECK_FALSE(constant_time_equals("abc", "abcd"));
}
