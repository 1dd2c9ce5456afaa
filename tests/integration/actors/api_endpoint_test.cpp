// The API endpoint with a real engine (LMDB, actors): a command whose payload URL must be
// resolved never holds up the thread that serves intake and the other API calls.

#include "actors/api.hpp"

#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <future>
#include <mutex>

#include "config/config.hpp"
#include "temp_dir.hpp"

using namespace hookshot;
using namespace hookshot::actors;

using hookshot::testing::temp_dir;

namespace {

// A resolver that answers only when released: DNS that takes as long as the test wants.
struct gated_resolver {
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  int asked = 0;
  resolver get() {
    return [this](const std::string&) -> result<std::vector<ip_address>> {
      std::unique_lock lock(m);
      ++asked;
      cv.notify_all();
      cv.wait(lock, [&] { return open; });
      ip_address a;
      ip_address::parse("93.184.216.34", a);
      return std::vector<ip_address>{a};
    };
  }
  void release() {
    std::lock_guard lock(m);
    open = true;
    cv.notify_all();
  }
  bool wait_asked() {
    std::unique_lock lock(m);
    return cv.wait_for(lock, std::chrono::seconds(5), [&] { return asked > 0; });
  }
};

// A signed GET for the admin account, as a CloudStack client sends it.
net::incoming_request signed_request(api_params p) {
  p["apiKey"] = "admin-key";
  p["response"] = "json";
  std::string query;
  for (const auto& [k, v] : p) query += (query.empty() ? "" : "&") + k + "=" + cloudstack_encode(v);
  query += "&signature=" + cloudstack_encode(api_signature(p, "admin-secret"));
  net::incoming_request r;
  r.method = "GET";
  r.target = "/client/api?" + query;
  r.from_loopback = true;
  return r;
}

}  // namespace

TEST_CASE("a slow DNS answer for one create holds up nothing else", "[api]") {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  temp_dir dir;
  auto cfg = config::parse_config(R"({
    "listen": "127.0.0.1:0", "data_dir": ")" + dir.path + R"(/data", "durability": "os",
    "accounts": [{"id": "a-1", "name": "admin", "domainid": "ROOT", "role": "Admin",
                  "apikey": "admin-key", "secretkey": "admin-secret"}]})", "test");
  REQUIRE(cfg);
  auto eng = engine::start(*cfg);
  REQUIRE(eng);
  gated_resolver dns;
  {
    api_endpoint api(**eng, (*eng)->cfg(), dns.get());
    std::promise<net::outgoing_response> created;
    auto start = std::chrono::steady_clock::now();
    api.handle(signed_request({{"command", "createWebhook"}, {"name", "slow"},
                               {"payloadurl", "https://hooks.example.com/x"}, {"scope", "Global"}}),
               [&](net::outgoing_response r) { created.set_value(std::move(r)); });
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500));  // handed off
    REQUIRE(dns.wait_asked());  // the worker is waiting on DNS now

    // Meanwhile the same thread answers other calls at once.
    std::promise<net::outgoing_response> listed;
    api.handle(signed_request({{"command", "listWebhooks"}}),
               [&](net::outgoing_response r) { listed.set_value(std::move(r)); });
    auto list = listed.get_future();
    REQUIRE(list.wait_for(std::chrono::seconds(2)) == std::future_status::ready);
    CHECK(list.get().body == R"({"listwebhooksresponse":{}})");

    auto create = created.get_future();
    CHECK(create.wait_for(std::chrono::milliseconds(200)) == std::future_status::timeout);
    dns.release();
    REQUIRE(create.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
    auto answer = create.get();
    CHECK(answer.status == 200);
    CHECK(answer.body.find(R"("payloadurl":"https://hooks.example.com/x")") != std::string::npos);
  }
  (*eng)->shutdown(0);
}
