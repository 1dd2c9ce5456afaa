#include "bench/fast_sink.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <queue>
#include <thread>
#include <unordered_map>

#include "bench/tls_identity.hpp"
#include "net/http_server.hpp"

namespace hookshot::bench {
namespace {

// Latency buckets 5 % wide: a quantile read off the histogram (a bucket's upper edge) is at most
// 5 % above the exact one. 1.05^480 µs is about 4 hours.
constexpr double kBucketRatio = 1.05;
constexpr size_t kBuckets = 480;

std::int64_t now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t mono_ns() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

size_t bucket_of(double us) {
  if (us <= 1) return 0;
  size_t i = static_cast<size_t>(std::ceil(std::log(us) / std::log(kBucketRatio)));
  return std::min(i, kBuckets - 1);
}

std::string status_line(unsigned status) {
  const char* reason = status == 200 ? "OK" : status == 500 ? "Internal Server Error" : "Status";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Length: 0\r\n\r\n";
}

struct ssl_free {
  void operator()(SSL* s) const { SSL_free(s); }
};

struct connection {
  std::unique_ptr<SSL, ssl_free> tls;  // set once the first byte showed a TLS handshake
  bool sniffed = false;                // the first byte has been looked at (TLS sinks only)
  std::string in;
  size_t start = 0;  // where the next unparsed request begins in `in`
  std::string out;
  size_t out_off = 0;
  bool close_after = false;
  std::uint64_t counted_in = 0;  // the counters' epoch it was last counted in (0: never)
  std::uint64_t generation = 0;
};

struct delayed {
  std::int64_t due_ns;
  int fd;
  std::uint64_t generation;
  const std::string* response;
  bool operator>(const delayed& o) const { return due_ns > o.due_ns; }
};

}  // namespace

double bucket_upper_us(size_t i) { return std::pow(kBucketRatio, static_cast<double>(i)); }

struct fast_sink::impl {
  sink_options opt;
  std::string ok_response, fail_response, stats_prefix;
  std::atomic<std::uint64_t> requests{0}, failed{0}, with_latency{0}, seen{0};
  std::atomic<std::int64_t> max_us{0};
  std::atomic<std::int64_t> last_arrival_us{0};  // monotonic; 0: none since the last reset
  std::atomic<std::uint64_t> pauses{0};
  std::atomic<std::int64_t> paused_us{0};
  std::atomic<std::uint64_t> connections{0}, tls_connections{0};
  std::atomic<std::uint64_t> epoch{1};  // the counters' generation: a reset starts the next
  std::array<std::atomic<std::uint64_t>, kBuckets> histogram{};
  std::atomic<bool> stopping{false};
  std::uint16_t bound_port = 0;
  SSL_CTX* tls = nullptr;  // null: plain HTTP only

  ~impl() { SSL_CTX_free(tls); }

  // Sets `tls`, the server side of TLS, from the options' certificate and key.
  status load_tls() {
    auto failed = [](const std::string& what) {
      return status::invalid_argument(what + ": " + take_openssl_error());
    };
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()),
                                                          SSL_CTX_free);
    if (!ctx) return failed("cannot set up TLS");
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    // A response queued behind a full socket may be appended to before the write is retried.
    SSL_CTX_set_mode(ctx.get(),
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), opt.tls_cert_file.c_str()) != 1)
      return failed("cannot load the TLS certificate " + opt.tls_cert_file);
    // Also refuses a key that is not the certificate's ("key values mismatch").
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), opt.tls_key_file.c_str(), SSL_FILETYPE_PEM) != 1)
      return failed("cannot load the TLS key " + opt.tls_key_file);
    tls = ctx.release();
    return status::ok();
  }

  struct loop {
    impl* owner = nullptr;
    int epfd = -1, listen_fd = -1, timer_fd = -1, wake_fd = -1;
    std::unordered_map<int, connection> conns;
    std::priority_queue<delayed, std::vector<delayed>, std::greater<delayed>> timers;
    std::uint64_t next_generation = 1;
    std::thread thread;
  };
  std::vector<std::unique_ptr<loop>> loops;

  bool should_fail() {
    if (opt.fail_ratio <= 0) return false;
    std::uint64_t n = seen.fetch_add(1);
    return std::floor(static_cast<double>(n + 1) * opt.fail_ratio) >
           std::floor(static_cast<double>(n) * opt.fail_ratio);
  }

  void record_arrival() {
    std::int64_t now = mono_ns() / 1000;
    std::int64_t prev = last_arrival_us.exchange(now, std::memory_order_relaxed);
    if (prev > 0 && now - prev > static_cast<std::int64_t>(kPauseMs * 1000)) {
      pauses.fetch_add(1, std::memory_order_relaxed);
      paused_us.fetch_add(now - prev, std::memory_order_relaxed);
    }
  }

  void record_latency(const char* body, size_t len) {
    static const char key[] = "\"sent_us\":";
    const char* p = static_cast<const char*>(memmem(body, len, key, sizeof key - 1));
    if (!p) return;
    p += sizeof key - 1;
    const char* end = body + len;
    while (p < end && *p == ' ') ++p;
    std::int64_t sent = 0;
    bool any = false;
    while (p < end && *p >= '0' && *p <= '9') {
      sent = sent * 10 + (*p++ - '0');
      any = true;
    }
    if (!any) return;
    std::int64_t lat = std::max<std::int64_t>(0, now_us() - sent);
    std::int64_t prev = max_us.load(std::memory_order_relaxed);
    while (lat > prev && !max_us.compare_exchange_weak(prev, lat)) {
    }
    double us = static_cast<double>(lat);
    histogram[bucket_of(us)].fetch_add(1, std::memory_order_relaxed);
    with_latency.fetch_add(1, std::memory_order_relaxed);
  }

  void send(loop& l, int fd, connection& c, const std::string& bytes) {
    c.out.append(bytes);
    flush(l, fd, c);
  }

  // Asks for EPOLLOUT as well as EPOLLIN: the socket was full, or TLS needs to write.
  void want_out(loop& l, int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.fd = fd;
    epoll_ctl(l.epfd, EPOLL_CTL_MOD, fd, &ev);
  }

  // What a failed TLS call means for the connection: wait for the socket (true) or give up.
  bool tls_waits(loop& l, int fd, connection& c, int ret) {
    int e = SSL_get_error(c.tls.get(), ret);
    if (e == SSL_ERROR_WANT_WRITE) want_out(l, fd);
    ERR_clear_error();  // a failed connection leaves nothing for the loop's next call to see
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
  }

  void flush(loop& l, int fd, connection& c) {
    while (c.out_off < c.out.size()) {
      const char* data = c.out.data() + c.out_off;
      size_t len = c.out.size() - c.out_off;
      if (c.tls) {
        int n = SSL_write(c.tls.get(), data, static_cast<int>(len));
        if (n <= 0) {
          if (!tls_waits(l, fd, c, n)) close_conn(l, fd);
          return;
        }
        c.out_off += static_cast<size_t>(n);
        continue;
      }
      ssize_t n = ::send(fd, data, len, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN) {
          want_out(l, fd);
          return;
        }
        close_conn(l, fd);
        return;
      }
      c.out_off += static_cast<size_t>(n);
    }
    c.out.clear();
    c.out_off = 0;
    if (c.close_after) close_conn(l, fd);
  }

  void close_conn(loop& l, int fd) {
    epoll_ctl(l.epfd, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    l.conns.erase(fd);
  }

  void arm_timer(loop& l) {
    itimerspec its{};
    if (!l.timers.empty()) {
      std::int64_t left = std::max<std::int64_t>(1, l.timers.top().due_ns - mono_ns());
      its.it_value.tv_sec = left / 1000000000;
      its.it_value.tv_nsec = left % 1000000000;
    }
    timerfd_settime(l.timer_fd, 0, &its, nullptr);
  }

  // Handles every complete request in the connection's buffer.
  void parse(loop& l, int fd, connection& c) {
    for (;;) {
      size_t head_end = c.in.find("\r\n\r\n", c.start);
      if (head_end == std::string::npos) break;
      const char* head = c.in.data() + c.start;
      size_t head_len = head_end - c.start;
      size_t body_len = 0;
      static const char cl[] = "\ncontent-length:";
      for (size_t i = 0; i + sizeof cl - 1 < head_len; ++i) {
        if (head[i] == '\n' && strncasecmp(head + i, cl, sizeof cl - 1) == 0) {
          body_len = std::strtoul(head + i + sizeof cl - 1, nullptr, 10);
          break;
        }
      }
      size_t total = head_len + 4 + body_len;
      if (c.in.size() - c.start < total) break;
      std::string_view request(head, total);
      bool close = false;
      static const char conn_close[] = "\nconnection: close";
      for (size_t i = 0; i + sizeof conn_close - 1 <= head_len; ++i)
        if (head[i] == '\n' && strncasecmp(head + i, conn_close, sizeof conn_close - 1) == 0)
          close = true;
      c.close_after = close;
      handle(l, fd, c, request, head_len + 4);
      if (l.conns.find(fd) == l.conns.end()) return;  // closed while answering
      c.start += total;
    }
    if (c.start > 0 && c.start == c.in.size()) {
      c.in.clear();
      c.start = 0;
    } else if (c.start > 65536) {
      c.in.erase(0, c.start);
      c.start = 0;
    }
  }

  void handle(loop& l, int fd, connection& c, std::string_view request, size_t body_at) {
    if (request.rfind("GET /stats", 0) == 0) {
      std::string body = to_json(snapshot());
      send(l, fd, c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body);
      return;
    }
    if (request.rfind("POST /stats/reset", 0) == 0) {
      clear();
      send(l, fd, c, ok_response);
      return;
    }
    requests.fetch_add(1, std::memory_order_relaxed);
    if (std::uint64_t now = epoch.load(std::memory_order_relaxed); c.counted_in != now) {
      c.counted_in = now;
      connections.fetch_add(1, std::memory_order_relaxed);
      if (c.tls) tls_connections.fetch_add(1, std::memory_order_relaxed);
    }
    record_arrival();
    record_latency(request.data() + body_at, request.size() - body_at);
    if (opt.on_request) opt.on_request(std::string(request));
    const std::string* response = &ok_response;
    if (should_fail()) {
      failed.fetch_add(1, std::memory_order_relaxed);
      response = &fail_response;
    }
    if (opt.delay_ms <= 0) {
      send(l, fd, c, *response);
      return;
    }
    l.timers.push({mono_ns() + opt.delay_ms * 1000000, fd, c.generation, response});
    if (l.timers.size() == 1) arm_timer(l);
  }

  void fire_timers(loop& l) {
    std::uint64_t expirations;
    ssize_t r = read(l.timer_fd, &expirations, sizeof expirations);
    (void)r;
    std::int64_t now = mono_ns();
    while (!l.timers.empty() && l.timers.top().due_ns <= now) {
      delayed d = l.timers.top();
      l.timers.pop();
      auto it = l.conns.find(d.fd);
      if (it != l.conns.end() && it->second.generation == d.generation)
        send(l, d.fd, it->second, *d.response);
    }
    arm_timer(l);
  }

  // Looks at a new connection's first byte on a TLS sink: a handshake record makes it TLS.
  // False when the peer closed first.
  bool sniff(int fd, connection& c) {
    unsigned char first = 0;
    ssize_t r = recv(fd, &first, 1, MSG_PEEK);
    if (r < 0 && errno == EAGAIN) return true;
    if (r <= 0) return false;
    c.sniffed = true;
    if (first != 0x16) return true;  // TLS record type 22: handshake
    c.tls.reset(SSL_new(tls));
    if (!c.tls || SSL_set_fd(c.tls.get(), fd) != 1) return false;
    SSL_set_accept_state(c.tls.get());
    return true;
  }

  // Appends what the connection has to its buffer (decrypted when TLS). False when the peer
  // closed or the connection failed.
  bool receive(loop& l, int fd, connection& c) {
    if (tls && !c.sniffed) {
      if (!sniff(fd, c)) return false;
      if (!c.sniffed) return true;  // nothing has come yet
    }
    char buf[65536];
    for (;;) {
      if (c.tls) {
        int r = SSL_read(c.tls.get(), buf, sizeof buf);
        if (r > 0) {
          c.in.append(buf, static_cast<size_t>(r));
          continue;  // TLS hands over a record at a time: read until it would wait
        }
        return tls_waits(l, fd, c, r);
      }
      ssize_t r = recv(fd, buf, sizeof buf, 0);
      if (r > 0) {
        c.in.append(buf, static_cast<size_t>(r));
        if (static_cast<size_t>(r) < sizeof buf) return true;
        continue;
      }
      return r < 0 && errno == EAGAIN;
    }
  }

  void run(loop& l) {
    epoll_event events[256];
    while (!stopping.load()) {
      int n = epoll_wait(l.epfd, events, 256, 1000);
      for (int i = 0; i < n; ++i) {
        int fd = events[i].data.fd;
        if (fd == l.wake_fd) continue;
        if (fd == l.timer_fd) {
          fire_timers(l);
          continue;
        }
        if (fd == l.listen_fd) {
          for (;;) {
            int cfd = accept4(l.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (cfd < 0) break;
            int one = 1;
            setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.fd = cfd;
            epoll_ctl(l.epfd, EPOLL_CTL_ADD, cfd, &ev);
            connection& c = l.conns[cfd];
            c = connection{};
            c.generation = l.next_generation++;
          }
          continue;
        }
        auto it = l.conns.find(fd);
        if (it == l.conns.end()) continue;
        connection& c = it->second;
        if (events[i].events & EPOLLOUT) {
          flush(l, fd, c);
          if (l.conns.find(fd) == l.conns.end()) continue;
          if (c.out.empty()) {
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.fd = fd;
            epoll_ctl(l.epfd, EPOLL_CTL_MOD, fd, &ev);
          }
        }
        // TLS reads may wait on the socket being writable, and its writes on it being
        // readable: a TLS connection tries both on either.
        bool readable = events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR);
        if (c.tls && !c.out.empty()) {
          flush(l, fd, c);
          if (l.conns.find(fd) == l.conns.end()) continue;
        }
        if (readable || c.tls) {
          if (!receive(l, fd, c)) {
            close_conn(l, fd);
            continue;
          }
          parse(l, fd, c);
        }
      }
    }
    for (auto& [fd, c] : l.conns) ::close(fd);
    l.conns.clear();
  }

  sink_stats snapshot() const {
    sink_stats s;
    s.requests = requests.load();
    s.failed = failed.load();
    s.with_latency = with_latency.load();
    s.histogram.resize(kBuckets);
    for (size_t i = 0; i < kBuckets; ++i) s.histogram[i] = histogram[i].load();
    auto quantile = [&](double q) {
      if (s.with_latency == 0) return 0.0;
      std::uint64_t want = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(s.with_latency)));
      std::uint64_t seen_so_far = 0;
      for (size_t i = 0; i < kBuckets; ++i) {
        seen_so_far += s.histogram[i];
        if (seen_so_far >= std::max<std::uint64_t>(want, 1)) return bucket_upper_us(i) / 1000.0;
      }
      return bucket_upper_us(kBuckets - 1) / 1000.0;
    };
    // A bucket's upper bound can pass the exact maximum.
    s.max_ms = static_cast<double>(max_us.load()) / 1000.0;
    s.pauses = pauses.load();
    s.paused_ms = static_cast<double>(paused_us.load()) / 1000.0;
    s.connections = connections.load();
    s.tls_connections = tls_connections.load();
    s.p50_ms = std::min(quantile(0.5), s.max_ms);
    s.p99_ms = std::min(quantile(0.99), s.max_ms);
    return s;
  }

  void clear() {
    requests = 0;
    failed = 0;
    with_latency = 0;
    seen = 0;
    max_us = 0;
    last_arrival_us = 0;
    pauses = 0;
    paused_us = 0;
    connections = 0;
    tls_connections = 0;
    epoch.fetch_add(1);
    for (auto& h : histogram) h = 0;
  }
};

fast_sink::fast_sink(sink_options options) : impl_(std::make_unique<impl>()) {
  impl_->opt = std::move(options);
  impl_->ok_response = status_line(impl_->opt.status);
  impl_->fail_response = status_line(500);
}

fast_sink::~fast_sink() { stop(); }

status fast_sink::start() {
  std::string host;
  std::uint16_t port = 0;
  status st = net::parse_listen(impl_->opt.listen, host, port);
  if (!st) return st;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1)
    return status::invalid_argument("the sink listens on IPv4 addresses only: " + impl_->opt.listen);
  if (impl_->opt.tls_cert_file.empty() != impl_->opt.tls_key_file.empty())
    return status::invalid_argument("TLS needs both a certificate and its key");
  if (!impl_->opt.tls_cert_file.empty() && !impl_->tls) {
    status tls = impl_->load_tls();
    if (!tls) return tls;
  }
  size_t threads = std::max<size_t>(1, impl_->opt.threads);
  for (size_t i = 0; i < threads; ++i) {
    auto l = std::make_unique<impl::loop>();
    l->owner = impl_.get();
    l->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(l->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(l->listen_fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (i > 0) addr.sin_port = htons(impl_->bound_port);
    if (bind(l->listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(l->listen_fd, 4096) != 0) {
      std::string why = std::strerror(errno);
      ::close(l->listen_fd);
      stop();
      return status::io_error("cannot listen on " + impl_->opt.listen + ": " + why);
    }
    if (i == 0) {
      socklen_t len = sizeof addr;
      getsockname(l->listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
      impl_->bound_port = ntohs(addr.sin_port);
    }
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    l->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    l->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    for (int fd : {l->listen_fd, l->timer_fd, l->wake_fd}) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = fd;
      epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev);
    }
    impl::loop* raw = l.get();
    l->thread = std::thread([this, raw] { impl_->run(*raw); });
    impl_->loops.push_back(std::move(l));
  }
  return status::ok();
}

void fast_sink::stop() {
  if (!impl_) return;
  impl_->stopping = true;
  for (auto& l : impl_->loops) {
    std::uint64_t one = 1;
    ssize_t r = write(l->wake_fd, &one, sizeof one);
    (void)r;
    if (l->thread.joinable()) l->thread.join();
    for (int fd : {l->listen_fd, l->timer_fd, l->wake_fd, l->epfd})
      if (fd >= 0) ::close(fd);
  }
  impl_->loops.clear();
}

std::uint16_t fast_sink::port() const { return impl_->bound_port; }
sink_stats fast_sink::stats() const { return impl_->snapshot(); }
void fast_sink::reset() { impl_->clear(); }

std::string to_json(const sink_stats& s) {
  char buf[512];  // seven counters of up to 20 digits, five figures, the names: under 400
  std::snprintf(buf, sizeof buf,
                "{\"requests\":%llu,\"failed\":%llu,\"with_latency\":%llu,\"latency_ms\":"
                "{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},\"pauses\":%llu,\"paused_ms\":%.3f,"
                "\"connections\":%llu,\"tls_connections\":%llu}",
                static_cast<unsigned long long>(s.requests), static_cast<unsigned long long>(s.failed),
                static_cast<unsigned long long>(s.with_latency), s.p50_ms, s.p99_ms, s.max_ms,
                static_cast<unsigned long long>(s.pauses), s.paused_ms,
                static_cast<unsigned long long>(s.connections),
                static_cast<unsigned long long>(s.tls_connections));
  return buf;
}

}  // namespace hookshot::bench
