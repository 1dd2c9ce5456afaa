#include <catch2/catch.hpp>

#include "config/config.hpp"

using namespace hookshot;
using namespace hookshot::config;

namespace {

const char* kBase = R"({
  // comments are allowed
  "listen": "127.0.0.1:0",
  "data_dir": "/tmp/x",
  "durability": "os",
  "settings": {"webhook.delivery.tries": 4, "webhook.delivery.backoff": "0",
               "webhook.delivery.allow.http": true, "webhook.delivery.blocklist": "10.0.0.0/8",
               "webhook.delivery.block.local.addresses": false},
  "domains": [
    {"id": "root", "name": "ROOT"},
    {"id": "eng", "name": "eng", "parent": "root", "settings": {"webhook.delivery.timeout": "2"}},
  ],
  "accounts": [
    {"id": "a-admin", "name": "admin", "domainid": "root", "role": "Admin"},
    {"id": "a-da", "name": "eng-admin", "domainid": "eng", "role": "DomainAdmin"},
    {"id": "a-user", "name": "alice", "domainid": "eng"}
  ],
  "webhooks": [
    {"name": "g", "account": "admin", "scope": "Global", "payloadurl": "127.0.0.1:9/x"},
    {"name": "d", "account": "eng-admin", "scope": "domain", "payloadurl": "http://h/d"},
    {"name": "l", "account": "alice", "domainid": "eng", "payloadurl": "https://h/l",
     "sslverification": true, "state": "Disabled"}
  ]
})";

// kBase with `from` replaced by `to`; the replacement must happen.
std::string with(const std::string& from, const std::string& to) {
  std::string s = kBase;
  auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

std::string error_of(const std::string& text) {
  auto c = parse_config(text, "test.json");
  REQUIRE_FALSE(c.is_ok());
  return c.error().message();
}

}  // namespace

TEST_CASE("a complete config loads with owners, scopes and settings resolved", "[config]") {
  auto c = parse_config(kBase, "test.json");
  REQUIRE(c);
  CHECK(c->listen == "127.0.0.1:0");
  CHECK_FALSE(c->fsync);
  REQUIRE(c->webhooks.size() == 3);
  CHECK(c->webhooks[0].payload_url == "http://127.0.0.1:9/x");
  CHECK(c->webhooks[0].scope_ == scope::global);
  CHECK(c->webhooks[1].scope_ == scope::domain);
  CHECK(c->webhooks[1].domain_id == "eng");
  CHECK(c->webhooks[2].account_id == "a-user");
  CHECK(c->webhooks[2].state == webhook_state::disabled);
  auto d = c->values.delivery_for("eng", c->tree);
  CHECK(d.retry.tries == 4);
  CHECK(d.timeout_ms == 2000);
  CHECK(d.retry.backoff_s == std::vector<double>{0});
}

TEST_CASE("defaults apply when keys are left out", "[config]") {
  auto c = parse_config("{}", "empty.json");
  REQUIRE(c);
  CHECK(c->listen == "127.0.0.1:8080");
  CHECK(c->fsync);
  CHECK(c->tree.root_id() == "ROOT");
}

TEST_CASE("each bad key is named in the error", "[config]") {
  CHECK(error_of(with("\"listen\"", "\"listne\"")) == "listne: unknown key");
  CHECK(error_of(with("\"os\"", "\"sometimes\"")) == "durability: must be \"fsync\" or \"os\"");
  CHECK(error_of(with("\"webhook.delivery.tries\": 4", "\"webhook.delivery.tries\": -4")) ==
        "settings.webhook.delivery.tries: must be at least 0");
  CHECK(error_of(with("\"webhook.delivery.tries\": 4", "\"webhook.delivery.retries\": 4")) ==
        "settings.webhook.delivery.retries: unknown setting");
  CHECK(error_of(
            with("\"webhook.delivery.backoff\": \"0\"", "\"webhook.delivery.backoff\": \"1,x\"")) ==
        "settings.webhook.delivery.backoff: '1,x' is not a comma-separated list of non-negative "
        "seconds");
  CHECK(error_of(
            with("{\"webhook.delivery.timeout\": \"2\"}", "{\"webhook.deliveries.limit\": 3}")) ==
        "domains[1].settings.webhook.deliveries.limit: is a global setting and cannot be set per "
        "domain");
  CHECK(error_of(with("\"parent\": \"root\"", "\"parent\": \"nowhere\"")) ==
        "domains: domain 'eng' names unknown parent 'nowhere'");
  CHECK(error_of(with("\"role\": \"DomainAdmin\"", "\"role\": \"Boss\"")) ==
        "accounts[1].role: must be Admin, DomainAdmin or User");
  CHECK(error_of(with("\"domainid\": \"root\", \"role\"", "\"domainid\": \"mars\", \"role\"")) ==
        "accounts[0].domainid: unknown domain 'mars'");
  CHECK(error_of(with("\"id\": \"a-da\"", "\"id\": \"a-admin\"")) ==
        "accounts[1].id: duplicate account id 'a-admin'");
  CHECK(error_of(with("\"account\": \"alice\"", "\"account\": \"nobody\"")) ==
        "webhooks[2].account: no account named 'nobody' in domain 'eng'");
  CHECK(error_of(with("\"scope\": \"domain\"", "\"scope\": \"Galaxy\"")) ==
        "webhooks[1].scope: Invalid scope specified");
  CHECK(error_of(with("\"state\": \"Disabled\"", "\"state\": \"Off\"")) ==
        "webhooks[2].state: Invalid state specified");
  CHECK(error_of(with("\"name\": \"l\"", "\"nmae\": \"l\"")) == "webhooks[2].name: is required");
  CHECK(error_of(with("\"sslverification\": true", "\"sslverification\": \"yes\"")) ==
        "webhooks[2].sslverification: must be true or false");
  CHECK(error_of(with("\"payloadurl\": \"https://h/l\"", "\"payloadurl\": \"http://h/l\"")) ==
        "webhooks[2].sslverification: SSL verification can be specified only for HTTPS URLs, "
        "http://h/l");
  CHECK(error_of(with("\"payloadurl\": \"http://h/d\"",
                      "\"payloadurl\": \"http://h/d\", \"extra\": 1")) ==
        "webhooks[1].extra: unknown key");
  CHECK(error_of("{\"listen\": 8080}") == "listen: must be a string");
  CHECK(error_of("[1]") == "must be a JSON object");
  CHECK(error_of("{").find("test.json: not valid JSON") == 0);
}

TEST_CASE("scope rules follow the owner's role", "[config]") {
  CHECK(error_of(with("\"account\": \"admin\", \"scope\": \"Global\"",
                      "\"account\": \"eng-admin\", \"scope\": \"Global\"")) ==
        "webhooks[0].scope: Scope Global can not be specified for owner eng-admin");
  CHECK(error_of(with("\"account\": \"eng-admin\", \"scope\": \"domain\"",
                      "\"account\": \"alice\", \"scope\": \"domain\"")) ==
        "webhooks[1].scope: Scope Domain can not be specified for owner alice");
}

TEST_CASE("a payload URL is unique per owner", "[config]") {
  CHECK(error_of(with("\"payloadurl\": \"http://h/d\"",
                      "\"payloadurl\": \"http://h/d\"},"
                      "{\"name\": \"d2\", \"account\": \"eng-admin\", \"payloadurl\": \"h/d\"")) ==
        "webhooks[2].payloadurl: Payload URL: http://h/d is already in use by another webhook");
}

TEST_CASE("declared payload URLs must pass the SSRF policy of their domain", "[config]") {
  CHECK(error_of(with("\"webhook.delivery.allow.http\": true", "\"webhook.delivery.allow.http\": false")) ==
        "webhooks[0].payloadurl: Only HTTPS webhook payload URLs are allowed, got: http://127.0.0.1:9/x");
  CHECK(error_of(with("\"webhook.delivery.block.local.addresses\": false",
                      "\"webhook.delivery.block.local.addresses\": true")) ==
        "webhooks[0].payloadurl: Webhook payload URL [http://127.0.0.1:9/x] resolves to a blocked "
        "IP address");
  CHECK(error_of(with("127.0.0.1:9/x", "10.1.2.3/x")) ==
        "webhooks[0].payloadurl: Webhook payload URL [http://10.1.2.3/x] resolves to a blocked IP "
        "address");
  // A domain's own value wins over the global one, for that domain's webhooks only.
  CHECK(error_of(with("\"webhook.delivery.timeout\": \"2\"", "\"webhook.delivery.allow.http\": false")) ==
        "webhooks[1].payloadurl: Only HTTPS webhook payload URLs are allowed, got: http://h/d");
  // Names are not resolved at load; their addresses are checked on every connection.
  CHECK(error_of(with("\"webhook.delivery.blocklist\": \"10.0.0.0/8\"",
                      "\"webhook.delivery.blocklist\": \"10.0.0.0/33\"")) ==
        "settings.webhook.delivery.blocklist: '10.0.0.0/33' has an invalid prefix length");
  CHECK(error_of(with("\"webhook.delivery.allow.http\": true", "\"webhook.delivery.allow.http\": \"yes\"")) ==
        "settings.webhook.delivery.allow.http: 'yes' is not true or false");
  CHECK(error_of(with("\"webhook.delivery.allow.http\": true", "\"webhook.delivery.allow.http\": [1]")) ==
        "settings.webhook.delivery.allow.http: must be a string, an integer or a boolean");
}
