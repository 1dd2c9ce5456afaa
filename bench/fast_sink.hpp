#pragma once

// A receiver that is never the bottleneck: HTTP/1.1 over epoll, one loop per thread on a shared
// SO_REUSEPORT port, keep-alive, no allocation per request beyond the connection's buffer. It
// answers every POST with a fixed status (some with 500 when asked to fail a share of them),
// after an optional delay, and keeps counts, a latency histogram and the pauses between
// arrivals (sink_stats).
//
// Latency: when a body contains "sent_us":<microseconds since the epoch> (the bench puts the
// time it posted the event there), the sink records now - sent_us at arrival.
//
// GET /stats answers the counters as JSON; POST /stats/reset zeroes them. Every other request
// is a delivery.
//
// TLS: given a certificate and its key, a connection that opens with a TLS handshake is served
// over TLS (1.2 or 1.3) and any other stays plain HTTP, on the same port: deliveries can go to
// https:// while the bench reads /stats over http://. OpenSSL writes to the socket without
// MSG_NOSIGNAL, so a process serving TLS must ignore SIGPIPE (hookshot's main does).
//
// Thread safety: start()/stop() from the owning thread; stats() from any thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.hpp"

namespace hookshot::bench {

struct sink_options {
  std::string listen = "127.0.0.1:9090";
  unsigned status = 200;
  long delay_ms = 0;
  double fail_ratio = 0;  // share of requests answered 500 (deterministic spread)
  size_t threads = 1;
  std::string tls_cert_file;  // PEM certificate (chain); with tls_key_file, serve TLS too
  std::string tls_key_file;   // PEM private key
  /// Called with each delivery's raw request text (for `hookshot sink` without --quiet);
  /// runs on a loop thread, serialised by the caller.
  std::function<void(const std::string&)> on_request;
};

/// Counters since start or the last reset.
struct sink_stats {
  std::uint64_t requests = 0;
  std::uint64_t failed = 0;       // answered 500 by fail_ratio
  std::uint64_t with_latency = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  std::vector<std::uint64_t> histogram;  // counts per latency bucket (see bucket_upper_us)
  // Pauses: gaps of more than kPauseMs between two deliveries' arrivals (on any loop), and
  // their total. At the rates the bench paces, deliveries arrive tens of µs apart; a gap
  // this long while they are due is the engine, or the whole machine, stopping.
  std::uint64_t pauses = 0;
  double paused_ms = 0;
  // Connections that carried a delivery (GET /stats aside), and of them those served over TLS:
  // beside the requests, how well the senders reuse their connections (each TLS connection
  // opens with a handshake). A connection counts once, at its first delivery since the start
  // or the last reset.
  std::uint64_t connections = 0;
  std::uint64_t tls_connections = 0;
};

/// The least gap between two arrivals that counts as a pause.
constexpr double kPauseMs = 3;

/// Upper bound (µs) of latency bucket i: 1.05^i µs, 480 buckets (up to about 4 hours).
double bucket_upper_us(size_t i);

class fast_sink {
 public:
  explicit fast_sink(sink_options options);
  ~fast_sink();

  /// Binds and starts the loop threads. Errors: bad address, port taken, a TLS certificate
  /// or key that cannot be read or do not match.
  status start();
  void stop();
  std::uint16_t port() const;
  sink_stats stats() const;
  void reset();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// JSON of the stats (what GET /stats answers).
std::string to_json(const sink_stats& s);

}  // namespace hookshot::bench
