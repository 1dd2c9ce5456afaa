#pragma once

// The HTTP event loop: one CURLM on its own thread, multiplexing every delivery attempt.
//
//   submit() ──queue + eventfd──▶ loop thread: epoll_wait ──▶ curl_multi_socket_action
//                                              │ CURLMSG_DONE
//                                              ▼
//                                  request.done(outcome)   (on the loop thread)
//
// The loop is curl's socket interface driven by epoll (curl's ephiperfifo.c model): each wake
// touches only the sockets that are ready, so the cost per delivery does not grow with the
// number of transfers in flight (curl_multi_perform/poll walk all of them on every wake).
//
// - At most `max_in_flight` transfers are inside curl at once; more wait in our own queues
//   (libcurl 7.88 can stall transfers parked in its internal pending queue).
// - Each receiver (origin: scheme, host and port) gets at most its own share of them, which
//   adapts to its round trips (core/concurrency_limit: a fast receiver needs a few transfers in
//   flight, a slow one many) when `adaptive`; otherwise every receiver may use all of them.
//   Receivers waiting for room are served in turn, so one receiver's backlog does not hold up
//   another's requests.
// - Each transfer has its own timeout (connect to last byte), HTTP/1.1 with keep-alive
//   connections reused across transfers to the same host.
// - The request's url_policy is enforced on the wire: the scheme before anything is sent, and
//   every address curl is about to connect to (CURLOPT_OPENSOCKETFUNCTION) or send on over a
//   reused connection (CURLOPT_PREREQFUNCTION). The URL is not rewritten, so Host, SNI and
//   certificate checks keep the host name. Redirects are followed here, not by curl, only
//   when the policy allows them: each hop is checked the same way, at most 5 per attempt, the
//   POST is sent again with the same body and headers, all within the attempt's timeout.
// - A response body is read up to max_response_bytes, then the transfer stops (the outcome
//   keeps the status; the connection is not reused).
// - verify_tls=false trusts any certificate and host name (CloudStack's sslverification=false).
// - Completions are handed over in windows: `on_completions` runs after `done` callbacks at
//   most once per `completions_window_ms` while they keep coming (at once after a quiet spell),
//   so a caller can gather what its callbacks produce and pass it on (a write, a wake-up of
//   another thread) once per window instead of once per completion. The price: what it gathers
//   may wait up to the window.
//
// Thread safety: submit(), in_flight() and stop() are safe from any thread, submit() from a
// `done` callback too (the request starts in the same turn of the loop). `done` callbacks
// and `on_completions` run on the loop thread; they must not wait on other threads beyond a
// short lock (no network, no waiting for a commit).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/delivery.hpp"
#include "core/request.hpp"
#include "core/url_policy.hpp"

namespace hookshot::net {

class receivers;  // net/receivers.hpp: the loop's receivers, their shares and queues
struct receiver;

struct http_request {
  std::string url;
  header_list headers;
  std::shared_ptr<const std::string> body;  // shared by every attempt of the same event
  long timeout_ms = 10000;
  bool verify_tls = false;
  std::shared_ptr<const url_policy> policy;  // null: no address checks (benchmark baselines)
  std::function<void(attempt_outcome&&)> done;
};

struct engine_options {
  size_t max_in_flight = 512;
  bool adaptive = true;              // each receiver's share follows its round trips
  size_t min_per_receiver = 8;       // the least an adaptive share drops to
  size_t max_response_bytes = 8192;  // response bytes kept; the rest is read and dropped
  std::string ca_file;               // extra trust when verify_tls (empty = system store)
  /// Runs on the loop thread after `done` callbacks have run: at once when the last run was
  /// `completions_window_ms` or more ago, else when that much time has passed since it (or
  /// sooner, as the loop stops). Every `done` is followed by a run. Empty: nothing runs.
  std::function<void()> on_completions;
  millis completions_window_ms = 1;
};

class http_client {
 public:
  /// Starts the loop thread. Call curl_global_init() once before the first client.
  http_client(engine_options options, const clock_source& clock);
  /// stop() with a zero grace period.
  ~http_client();

  /// Queues a request. After stop() the request is dropped without calling `done`.
  void submit(http_request request);

  /// Requests queued or on the wire. It drops only after the transfer's `done` has returned.
  size_t in_flight() const { return in_flight_.load(); }

  /// engine_options::max_in_flight: transfers on the wire at once, at most.
  size_t cap() const { return options_.max_in_flight; }

  /// Each receiver's current share of max_in_flight (origin -> transfers), as the loop last
  /// published it (when it changes). Receivers idle long enough to be forgotten are not listed.
  std::vector<std::pair<std::string, size_t>> receiver_limits() const;

  /// Stops taking requests; transfers already on the wire get until `grace_ms` to finish
  /// (their `done` runs); the rest are abandoned without `done`. Idempotent.
  void stop(millis grace_ms);

  struct transfer;  // one request on the wire (defined in the .cpp)
  struct loop;      // the epoll state of the loop thread (defined in the .cpp)

 private:
  void run();
  void take_queued();
  /// Starts waiting requests, receivers in turn, while the loop and their shares have room.
  void start_waiting();
  void start_request(receiver& r, http_request request);
  /// A new easy handle with the options every transfer shares (nullptr: out of memory).
  void* new_handle();
  void start_transfer(std::unique_ptr<transfer> t);
  void fail_transfer(std::unique_ptr<transfer> t, std::string why);
  void finish_transfer(void* easy, int result);
  void read_completions();
  void abandon_active();
  /// Runs on_completions when a `done` ran since the last run and the window has passed
  /// (`now` regardless of the window).
  void hand_over_completions(bool now);
  /// How long the loop may wait before hand_over_completions is due; `cap` when not.
  long completions_wait_ms(long cap) const;

  engine_options options_;
  const clock_source& clock_;
  void* multi_ = nullptr;
  int wake_fd_ = -1;  // eventfd: submit() and stop() wake the loop through it
  std::unique_ptr<loop> loop_;
  std::mutex mutex_;
  // Requests submitted and not yet taken by the loop (it takes them all at each turn, into
  // their receivers' queues).
  std::vector<http_request> queue_;
  std::vector<http_request> taken_;  // the loop's side of queue_ (swapped with it)
  std::vector<void*> idle_handles_;
  std::atomic<size_t> in_flight_{0};
  std::atomic<bool> accepting_{true};
  std::atomic<bool> stop_{false};
  std::atomic<bool> sleeping_{false};  // the loop is in (or about to enter) a blocking epoll_wait
  std::atomic<bool> backlog_{false};   // requests wait in the loop's queues (it looks every ms)
  std::atomic<millis> stop_deadline_{0};
  std::unordered_set<void*> active_;  // easy handles inside the multi handle
  std::unique_ptr<receivers> receivers_;  // their shares and queues (loop thread)
  bool completed_ = false;            // a `done` ran since on_completions last ran (loop thread)
  std::chrono::steady_clock::time_point next_hand_over_{};  // on_completions not before then
  std::thread thread_;
};

}  // namespace hookshot::net
