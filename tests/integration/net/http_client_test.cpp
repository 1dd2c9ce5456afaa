// The HTTP loop against a real server on loopback, from several submitting threads: every
// request completes exactly once, the policy is enforced on the wire, and stop() is clean.
// Also the ThreadSanitizer target for the loop and the server (`make test-tsan`).

#include "net/http_client.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "eventually.hpp"
#include "loopback_policy.hpp"
#include "loopback_server.hpp"
#include "net/http_server.hpp"

using namespace hookshot;
using namespace hookshot::net;
using hookshot::testing::eventually;
using hookshot::testing::loopback_policy;
using hookshot::testing::loopback_server;

namespace {

// Sends `requests` through a new loop, waits up to 10 s for their outcomes and stops the
// loop. Returns how many outcomes came back and the last of them.
std::pair<int, attempt_outcome> send_all(std::vector<http_request> requests) {
  system_clock_source clock;
  http_client client(engine_options{}, clock);
  std::atomic<int> outcomes{0};
  attempt_outcome last;
  std::mutex m;
  for (auto& r : requests) {
    r.done = [&](attempt_outcome&& out) {
      std::lock_guard lock(m);
      last = std::move(out);
      ++outcomes;
    };
    client.submit(std::move(r));
  }
  eventually([&] { return outcomes.load() == static_cast<int>(requests.size()); }, std::chrono::seconds(10));
  client.stop(0);
  std::lock_guard lock(m);
  return {outcomes.load(), last};
}

// A keep-alive server that answers each connection's first request and closes the
// connection `idle_ms` later, while the client holds it idle. Counts connections.
struct closing_server {
  int listener = -1;
  std::uint16_t port = 0;
  std::atomic<int> connections{0};
  std::atomic<bool> stopping{false};
  std::thread thread;
  explicit closing_server(int idle_ms) {
    listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&a), len) == 0);
    REQUIRE(listen(listener, 16) == 0);
    REQUIRE(getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port = ntohs(a.sin_port);
    thread = std::thread([this, idle_ms] {
      for (;;) {
        int c = accept(listener, nullptr, nullptr);
        if (c < 0 || stopping.load()) {
          if (c >= 0) close(c);
          return;
        }
        ++connections;
        std::string in;
        char buf[4096];
        // Headers, then the body by its length (the client sends Content-Length).
        while (in.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = read(c, buf, sizeof buf);
          if (n <= 0) break;
          in.append(buf, static_cast<size_t>(n));
        }
        static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        ssize_t w = write(c, ok, sizeof ok - 1);
        (void)w;
        std::this_thread::sleep_for(std::chrono::milliseconds(idle_ms));
        close(c);
      }
    });
  }
  ~closing_server() {
    stopping = true;
    shutdown(listener, SHUT_RDWR);
    thread.join();
    close(listener);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/ok"; }
};

// A request to `url` that a loopback policy lets through, reporting to `done`.
http_request loopback_request(const std::string& url, std::function<void(attempt_outcome&&)> done) {
  http_request r;
  r.url = url;
  r.body = std::make_shared<const std::string>("{}");
  r.policy = loopback_policy();
  r.done = std::move(done);
  return r;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// `origin`'s share as the loop last published it (0: none).
size_t share_of(const http_client& client, const std::string& origin) {
  for (auto& [o, n] : client.receiver_limits())
    if (o == origin) return n;
  return 0;
}

}  // namespace

TEST_CASE("a connection the server closes while idle is neither spun on nor reused", "[net]") {
  closing_server srv(20);
  system_clock_source clock;
  http_client client(engine_options{}, clock);
  auto send = [&] {
    std::atomic<int> status{-1};
    client.submit(loopback_request(srv.url(), [&](attempt_outcome&& out) { status = static_cast<int>(out.http_status); }));
    eventually([&] { return status.load() >= 0; });
    return status.load();
  };
  CHECK(send() == 200);
  // The server closes the idle connection: its socket turns readable while curl holds it in
  // its cache without watching it. The loop must not wake for it over and over.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  double before = cpu_seconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(cpu_seconds() - before < 0.1);  // a loop spinning on it would burn the whole 0.3 s
  // The next request gets a new connection and its answer.
  CHECK(send() == 200);
  CHECK(srv.connections.load() == 2);
  // Many requests, one at a time: each connection is closed behind the client's back.
  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    REQUIRE(send() == 200);
  }
  CHECK(srv.connections.load() == 22);
  client.stop(0);
}

TEST_CASE("requests from many threads each complete exactly once", "[net]") {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  loopback_server srv;
  system_clock_source clock;
  engine_options opts;
  opts.max_in_flight = 64;
  http_client client(opts, clock);
  constexpr int kThreads = 4, kEach = 300;
  std::mutex m;
  std::multiset<int> done;
  std::atomic<int> ok{0}, failed{0}, wrong{0};  // Catch's macros are not for other threads
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int id = t * kEach + i;
        http_request r;
        r.url = srv.url(id % 10 == 0 ? "/fail" : "/ok");
        r.body = std::make_shared<const std::string>(std::to_string(id));
        r.timeout_ms = 10000;
        r.policy = loopback_policy();
        r.done = [&, id](attempt_outcome&& out) {
          (out.success() ? ok : failed)++;
          if (out.success() && out.response != "echo:" + std::to_string(id)) ++wrong;
          std::lock_guard lock(m);
          done.insert(id);
        };
        client.submit(std::move(r));
      }
    });
  for (auto& t : threads) t.join();
  eventually([&] { return client.in_flight() == 0; }, std::chrono::seconds(30));
  client.stop(1000);
  std::lock_guard lock(m);
  CHECK(done.size() == kThreads * kEach);
  CHECK(std::set<int>(done.begin(), done.end()).size() == done.size());  // none twice
  CHECK(ok.load() == kThreads * kEach * 9 / 10);
  CHECK(failed.load() == kThreads * kEach / 10);
  CHECK(wrong.load() == 0);
}

TEST_CASE("a blocked address is never connected to, whatever the thread", "[net]") {
  loopback_server srv;
  auto blocked = std::make_shared<url_policy>();
  blocked->allow_http = true;  // block_local stays on: 127.0.0.1 is refused
  std::vector<http_request> requests(20);
  for (auto& r : requests) {
    r.url = srv.url("/ok");
    r.policy = blocked;
  }
  auto [outcomes, last] = send_all(std::move(requests));
  CHECK(outcomes == 20);
  CHECK(srv.hits.load() == 0);
  CHECK(last.response == blocked_address_message(srv.url("/ok")));
}

TEST_CASE("stop() with transfers on the wire finishes or abandons each, never both", "[net]") {
  loopback_server slow(300);
  system_clock_source clock;
  http_client client(engine_options{}, clock);
  std::atomic<int> finished{0};
  for (int i = 0; i < 50; ++i) client.submit(loopback_request(slow.url("/ok"), [&](attempt_outcome&&) { ++finished; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  client.stop(2000);  // long enough for the 300 ms answers
  CHECK(finished.load() == 50);
  CHECK(client.in_flight() == 0);
}

TEST_CASE("a header value with a line break is refused before anything is sent", "[net]") {
  loopback_server srv;
  std::vector<http_request> requests;
  for (const std::string& value : {std::string("A\r\nX-Injected: 1"), std::string("A\0B", 3)}) {
    http_request r;
    r.url = srv.url("/ok");
    r.policy = loopback_policy();
    r.headers = {{"X-CS-Event-ID", "e1"}, {"X-CS-Event", value}};
    requests.push_back(std::move(r));
  }
  auto [outcomes, last] = send_all(std::move(requests));
  CHECK(outcomes == 2);
  CHECK(srv.hits.load() == 0);
  CHECK(last.transport_error);
  CHECK(last.response == "Failed due to : header X-CS-Event carries a control character; not sent");
}

TEST_CASE("completions are handed over at once after a quiet spell, then once per window", "[net]") {
  loopback_server srv;
  system_clock_source clock;
  engine_options opts;
  opts.completions_window_ms = 60000;  // longer than the test: only the rules below hand over
  std::atomic<int> done{0}, handed{0}, done_at_hand_over{0};
  opts.on_completions = [&] {
    done_at_hand_over = done.load();
    ++handed;
  };
  http_client client(opts, clock);
  auto send = [&] { client.submit(loopback_request(srv.url("/ok"), [&](attempt_outcome&&) { ++done; })); };

  // Nothing handed over before anything completed; the first completion is handed over at once.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(handed.load() == 0);
  send();
  REQUIRE(eventually([&] { return handed.load() == 1; }));
  CHECK(done_at_hand_over.load() == 1);

  // Within the window the next completions wait...
  for (int i = 0; i < 5; ++i) send();
  REQUIRE(eventually([&] { return done.load() == 6; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(handed.load() == 1);

  // ...and the loop hands them over as it stops, after the last `done`.
  client.stop(1000);
  CHECK(handed.load() == 2);
  CHECK(done_at_hand_over.load() == 6);
}

TEST_CASE("a loop with a short window hands every completion over", "[net]") {
  loopback_server srv;
  system_clock_source clock;
  engine_options opts;
  opts.completions_window_ms = 20;
  std::atomic<int> done{0}, handed{0}, seen{0};
  opts.on_completions = [&] {
    seen = done.load();
    ++handed;
  };
  http_client client(opts, clock);
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) client.submit(loopback_request(srv.url("/ok"), [&](attempt_outcome&&) { ++done; }));
  // Every completion is followed by a hand-over within the window, without stopping the loop.
  eventually([&] { return seen.load() == 200; });
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(seen.load() == 200);
  // At most one hand-over per window (and the first at once).
  CHECK(handed.load() <= 2 + std::chrono::duration_cast<std::chrono::milliseconds>(took).count() / 20);
  client.stop(0);
}

TEST_CASE("a handle reused for the next transfer carries nothing of the one before", "[net]") {
  // One loop, one transfer at a time: the second reuses the first's easy handle.
  struct seen_request {
    std::string path, first_header, body;
  };
  std::mutex m;
  std::vector<seen_request> seen;
  http_server server(server_options{"127.0.0.1:0", 1, 1 << 20}, [&](incoming_request&& req, responder respond) {
    {
      std::lock_guard lock(m);
      seen.push_back({req.path(), req.header("X-First"), req.body});
    }
    outgoing_response r;
    if (req.path() == "/big") {
      r.status = 503;
      r.body = std::string(4096, 'x');
      r.headers.emplace_back("Retry-After", "7");
    } else {
      r.body = "ok";
    }
    respond(std::move(r));
  });
  REQUIRE(server.start().is_ok());
  std::string base = "http://127.0.0.1:" + std::to_string(server.port());

  system_clock_source clock;
  engine_options opts;
  opts.max_response_bytes = 64;
  http_client client(opts, clock);
  auto send = [&](http_request r) {
    std::atomic<bool> done{false};
    attempt_outcome out;
    r.done = [&](attempt_outcome&& o) {
      out = std::move(o);
      done = true;
    };
    client.submit(std::move(r));
    REQUIRE(eventually([&] { return done.load(); }));
    return out;
  };

  // The first stops reading at the response cap (its connection is not reused) and carries a
  // header, a long body and a short timeout.
  http_request first = loopback_request(base + "/big", nullptr);
  first.headers.add("X-First", "1");
  first.body = std::make_shared<const std::string>(std::string(2000, 'b'));
  first.timeout_ms = 2000;
  attempt_outcome a = send(std::move(first));
  CHECK(a.http_status == 503);
  CHECK(a.response.size() == 64);
  REQUIRE(a.retry_after_s);
  CHECK(*a.retry_after_s == 7);

  attempt_outcome b = send(loopback_request(base + "/ok", nullptr));
  CHECK(b.http_status == 200);
  CHECK_FALSE(b.transport_error);
  CHECK(b.response == "ok");
  CHECK_FALSE(b.retry_after_s);
  client.stop(0);

  std::lock_guard lock(m);
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].path == "/ok");
  CHECK(seen[1].first_header.empty());
  CHECK(seen[1].body == "{}");
}

TEST_CASE("a receiver that serves one request at a time gets a few transfers, a slow one most",
          "[net]") {
  // One thread that is busy 1 ms per request: what we keep in flight beyond a few only queues
  // there (and its round trips, not our loop's speed, set the shares, even under TSan). The
  // other answers after 50 ms however many are waiting.
  http_server serial(server_options{"127.0.0.1:0", 1, 1 << 20}, [](incoming_request&&, responder respond) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    outgoing_response r;
    r.body = "ok";
    respond(std::move(r));
  });
  REQUIRE(serial.start().is_ok());
  loopback_server slow(50);
  std::string serial_origin = "http://127.0.0.1:" + std::to_string(serial.port());
  std::string slow_origin = "http://127.0.0.1:" + std::to_string(slow.server.port());

  system_clock_source clock;
  engine_options opts;
  opts.max_in_flight = 128;
  http_client client(opts, clock);
  std::atomic<int> ok{0};
  constexpr int kSerial = 1500, kSlow = 400;
  for (int i = 0; i < kSerial + kSlow; ++i)
    client.submit(loopback_request(i % 4 == 3 && i / 4 < kSlow ? slow.url("/ok") : serial_origin + "/ok",
                                   [&](attempt_outcome&& out) { ok += out.success(); }));
  REQUIRE(eventually([&] { return client.in_flight() == 0; }, std::chrono::seconds(30)));
  CHECK(ok.load() == kSerial + kSlow);
  std::map<std::string, size_t> limits;
  for (auto& [origin, n] : client.receiver_limits()) limits[origin] = n;
  REQUIRE(limits.count(serial_origin));
  REQUIRE(limits.count(slow_origin));
  CHECK(limits[serial_origin] >= 8);
  CHECK(limits[serial_origin] <= 64);
  // The slow one keeps most of the loop. Not all of it for certain: on a machine busy with
  // other work (tests in parallel, sanitizers) a round of its answers can come late enough to
  // look like queueing, which takes the limit down until later rounds give it back (seen:
  // 102-125 of 128 with four sanitized test processes on two cores, 89 with twelve on one).
  CHECK(limits[slow_origin] >= 64);
  CHECK(limits[slow_origin] > limits[serial_origin]);
  client.stop(0);
}

TEST_CASE("a receiver slow only while starting up is not held at the whole loop for good", "[net]") {
  // One thread. Starting up, it answers each of its first 136 requests 100 ms after it came (a
  // timer, so none waits behind another); then it serves one at a time, ~0.1 ms each. No answer
  // within its first round gives it the whole loop at once, the first answers set a base of
  // 100 ms, and the queue of the whole loop (~20 ms) never reaches twice the lowest round since:
  // only the share's probes, measuring the base again with few in flight, find the queue. Its
  // level after that is a few dozen (16-41 seen), more where our own loop is slow (70 under
  // ASan: its cost per round trip is then part of what the share is judged on). Without the
  // probes it stays at 128.
  std::atomic<int> served{0};
  http_server* self = nullptr;
  http_server serial(server_options{"127.0.0.1:0", 1, 1 << 20}, [&](incoming_request&&, responder respond) {
    outgoing_response r;
    r.body = "ok";
    if (served++ < 136) {
      self->post_after(100, [respond = std::move(respond), r = std::move(r)]() mutable { respond(std::move(r)); });
      return;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    respond(std::move(r));
  });
  self = &serial;
  REQUIRE(serial.start().is_ok());
  std::string origin = "http://127.0.0.1:" + std::to_string(serial.port());
  std::atomic<int> ok{0};
  system_clock_source clock;
  engine_options opts;
  opts.max_in_flight = 128;
  http_client client(opts, clock);
  auto limit = [&] { return share_of(client, origin); };
  constexpr int kRequests = 60000;  // more than the test waits for: the backlog never runs out
  for (int i = 0; i < kRequests; ++i)
    client.submit(loopback_request(origin + "/ok", [&](attempt_outcome&& out) { ok += out.success(); }));
  // The whole loop, on its first answers: the highest share seen while they come in. Looked at
  // only once they are in, it may have been let down already where the loop is slow (114 of 128
  // under ThreadSanitizer: a round of the slow answers judged as queueing).
  size_t highest = 0;
  REQUIRE(eventually(
      [&] {
        highest = std::max(highest, limit());
        return served.load() > 200;
      },
      std::chrono::seconds(10)));
  CHECK(highest == 128);
  // Let down: under a tenth of the last second's samples at the whole loop (a probe's return
  // to 128 is a moment; a share held there is at 128 throughout).
  std::deque<bool> whole;  // the last second's samples, every 10 ms: at the whole loop?
  size_t at_whole = 0;
  bool let_down = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!let_down && std::chrono::steady_clock::now() < deadline) {
    whole.push_back(limit() == 128);
    at_whole += whole.back();
    if (whole.size() > 100) {
      at_whole -= whole.front();
      whole.pop_front();
    }
    let_down = whole.size() == 100 && at_whole < 10;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(let_down);
  CHECK(ok.load() < kRequests);  // judged with a backlog waiting throughout
  client.stop(0);
}

TEST_CASE("a receiver whose connections never come up keeps its first round's few", "[net]") {
  // A listener that never accepts, its queue filled first: the kernel drops further SYNs, so
  // the loop's connects time out with no request sent. Connecting is not the receiver's
  // answer: its share stays at the first round's 8, not the whole loop (which the first round
  // gave a receiver with no answer after 10 ms) nor slow start (which timeouts counted as
  // answers gave, up to the whole loop in a few rounds of them).
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(listener, 1) == 0);
  socklen_t len = sizeof addr;
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::vector<int> fillers;  // fill the accept queue (backlog + 1), never accepted
  for (int i = 0; i < 3; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::string origin = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  system_clock_source clock;
  engine_options opts;
  opts.max_in_flight = 64;
  http_client client(opts, clock);
  std::atomic<int> outcomes{0}, timed_out{0};
  constexpr int kRequests = 40;  // five first rounds' worth
  for (int i = 0; i < kRequests; ++i) {
    http_request r = loopback_request(origin + "/x", [&](attempt_outcome&& out) {
      timed_out += out.transport_error && out.response.find("imed out") != std::string::npos;
      ++outcomes;
    });
    r.timeout_ms = 200;
    client.submit(std::move(r));
  }
  REQUIRE(eventually([&] { return outcomes.load() == kRequests; }, std::chrono::seconds(30)));
  CHECK(timed_out.load() == kRequests);
  CHECK(share_of(client, origin) == 8);
  client.stop(0);
  for (int fd : fillers) close(fd);
  close(listener);
}

TEST_CASE("without adaptation every receiver may use the whole loop", "[net]") {
  loopback_server srv;
  system_clock_source clock;
  engine_options opts;
  opts.max_in_flight = 32;
  opts.adaptive = false;
  http_client client(opts, clock);
  std::atomic<int> ok{0};
  for (int i = 0; i < 500; ++i)
    client.submit(loopback_request(srv.url("/ok"), [&](attempt_outcome&& out) { ok += out.success(); }));
  REQUIRE(eventually([&] { return client.in_flight() == 0; }, std::chrono::seconds(30)));
  CHECK(ok.load() == 500);
  auto limits = client.receiver_limits();
  REQUIRE(limits.size() == 1);
  CHECK(limits[0].second == 32);
  client.stop(0);
}

TEST_CASE("a receiver's backlog does not hold up another receiver's requests", "[net]") {
  loopback_server slow(200), fast;
  system_clock_source clock;
  engine_options opts;
  opts.max_in_flight = 8;  // the slow receiver alone could fill the loop for 5 s
  http_client client(opts, clock);
  std::atomic<int> slow_done{0}, fast_done{0};
  for (int i = 0; i < 200; ++i)
    client.submit(loopback_request(slow.url("/ok"), [&](attempt_outcome&&) { ++slow_done; }));
  for (int i = 0; i < 20; ++i)
    client.submit(loopback_request(fast.url("/ok"), [&](attempt_outcome&&) { ++fast_done; }));
  // In one queue the fast requests would start after the 200 slow ones: 25 rounds of 200 ms.
  // Taking turns, they start as the first slow answers free room.
  REQUIRE(eventually([&] { return fast_done.load() == 20; }, std::chrono::milliseconds(2000)));
  CHECK(slow_done.load() < 100);
  client.stop(0);
}
