// The bench's receiver serving TLS and plain HTTP on one port, against our HTTP loop (libcurl,
// verifying the certificate as a webhook with sslverification does) and a plain GET.

#include "bench/fast_sink.hpp"

#include <curl/curl.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <mutex>

#include "bench/tls_identity.hpp"
#include "eventually.hpp"
#include "net/blocking_http.hpp"
#include "net/http_client.hpp"
#include "temp_dir.hpp"

using namespace hookshot;
using hookshot::testing::eventually;
using hookshot::testing::temp_dir;

namespace {

struct tls_sink {
  temp_dir dir;
  bench::tls_identity id;
  std::unique_ptr<bench::fast_sink> sink;

  tls_sink() {
    std::signal(SIGPIPE, SIG_IGN);  // as hookshot's main does; OpenSSL writes without MSG_NOSIGNAL
    curl_global_init(CURL_GLOBAL_DEFAULT);
    auto made = bench::make_tls_identity(dir.path);
    REQUIRE(made);
    id = *made;
    bench::sink_options o;
    o.listen = "127.0.0.1:0";
    o.threads = 2;
    o.tls_cert_file = id.cert_file;
    o.tls_key_file = id.key_file;
    sink = std::make_unique<bench::fast_sink>(o);
    REQUIRE(sink->start());
  }
  std::string url(const char* scheme, const char* host = "127.0.0.1") const {
    return std::string(scheme) + "://" + host + ":" + std::to_string(sink->port());
  }
};

// Posts `n` bodies through one HTTP loop (at most 4 in flight) and returns their outcomes.
std::vector<attempt_outcome> post_through_loop(const std::string& url, const std::string& ca_file,
                                               bool verify, int n) {
  system_clock_source clock;
  net::engine_options opts;
  opts.max_in_flight = 4;
  opts.ca_file = ca_file;
  net::http_client client(opts, clock);
  std::mutex m;
  std::vector<attempt_outcome> outcomes;
  auto body = std::make_shared<const std::string>(R"({"event":"VM.CREATE","sent_us":1})");
  for (int i = 0; i < n; ++i) {
    net::http_request r;
    r.url = url + "/hook";
    r.body = body;
    r.verify_tls = verify;
    r.timeout_ms = 5000;
    r.done = [&](attempt_outcome&& o) {
      std::lock_guard lock(m);
      outcomes.push_back(std::move(o));
    };
    client.submit(std::move(r));
  }
  eventually([&] {
    std::lock_guard lock(m);
    return outcomes.size() == static_cast<size_t>(n);
  });
  client.stop(0);
  return outcomes;
}

}  // namespace

TEST_CASE("a TLS sink answers verified HTTPS deliveries over reused connections") {
  tls_sink s;
  auto outcomes = post_through_loop(s.url("https"), s.id.cert_file, true, 200);
  REQUIRE(outcomes.size() == 200);
  for (const auto& o : outcomes) REQUIRE(o.success());
  bench::sink_stats st = s.sink->stats();
  CHECK(st.requests == 200);
  CHECK(st.with_latency == 200);  // the body was read whole through TLS
  CHECK(st.tls_connections == st.connections);
  CHECK(st.connections >= 1);
  CHECK(st.connections <= 4);  // keep-alive: one connection per transfer in flight at most

  SECTION("by the certificate's other name too") {
    auto named = post_through_loop(s.url("https", "localhost"), s.id.cert_file, true, 5);
    for (const auto& o : named) CHECK(o.success());
  }
}

TEST_CASE("a TLS sink serves plain HTTP on the same port") {
  tls_sink s;
  auto outcomes = post_through_loop(s.url("http"), "", false, 20);
  for (const auto& o : outcomes) REQUIRE(o.success());
  std::string body;
  auto code = net::http_get(s.url("http") + "/stats", &body);
  REQUIRE(code);
  CHECK(*code == 200);
  CHECK(body.find("\"requests\":20,") != std::string::npos);
  CHECK(body.find("\"tls_connections\":0}") != std::string::npos);
  bench::sink_stats st = s.sink->stats();
  CHECK(st.connections >= 1);
  CHECK(st.tls_connections == 0);

  SECTION("a reset starts the connection count again, also for connections still open") {
    s.sink->reset();
    CHECK(s.sink->stats().connections == 0);
    post_through_loop(s.url("https"), s.id.cert_file, true, 3);
    CHECK(s.sink->stats().connections == s.sink->stats().tls_connections);
    CHECK(s.sink->stats().tls_connections >= 1);
  }
}

TEST_CASE("a TLS sink's certificate is refused by a client that does not trust it") {
  tls_sink s;
  auto outcomes = post_through_loop(s.url("https"), "", true, 3);
  for (const auto& o : outcomes) {
    CHECK_FALSE(o.success());
    CHECK(o.transport_error);
  }
  CHECK(s.sink->stats().requests == 0);
  // The sink is unharmed: a trusting client is served after the refused handshakes.
  for (const auto& o : post_through_loop(s.url("https"), s.id.cert_file, true, 3))
    CHECK(o.success());
}

TEST_CASE("a TLS sink does not start with a key that is not its certificate's") {
  temp_dir a, b;
  auto one = bench::make_tls_identity(a.path);
  auto two = bench::make_tls_identity(b.path);
  REQUIRE(one);
  REQUIRE(two);
  bench::sink_options o;
  o.listen = "127.0.0.1:0";
  o.tls_cert_file = one->cert_file;
  o.tls_key_file = two->key_file;
  bench::fast_sink sink(o);
  status st = sink.start();
  REQUIRE_FALSE(st);
  CHECK(st.message().find(two->key_file) != std::string::npos);
  CHECK(st.message().find("mismatch") != std::string::npos);

  o.tls_key_file = "";
  bench::fast_sink half(o);
  st = half.start();
  REQUIRE_FALSE(st);
  CHECK(st.message().find("both a certificate and its key") != std::string::npos);

  o.tls_key_file = b.path + "/missing.pem";
  bench::fast_sink missing(o);
  st = missing.start();
  REQUIRE_FALSE(st);
  CHECK(st.message().find("missing.pem") != std::string::npos);
}
