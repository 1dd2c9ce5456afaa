#include "net/http_client.hpp"

#include <curl/curl.h>
#include <pthread.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "core/retry_policy.hpp"
#include "net/receivers.hpp"

namespace hookshot::net {

struct http_client::transfer {
  http_request request;
  // curl's list nodes for the request headers, pointing into the lines the request carries
  // (header_list keeps them the way curl reads them); both live until the transfer is gone.
  // curl only reads the list: it never changes or frees it.
  std::vector<curl_slist> header_nodes;
  char error[CURL_ERROR_SIZE] = {0};
  attempt_outcome outcome;
  std::string retry_after;
  size_t max_bytes = 0;
  http_client::loop* loop = nullptr;  // whose sockets this transfer opens
  net::receiver* to = nullptr;  // the receiver whose share it counts against
  net::receivers* among = nullptr;  // the loop's receivers, `to` among them
  bool truncated = false;  // we stopped reading the body on purpose
  bool blocked = false;    // the policy refused an address of this hop
  int hops = 0;            // redirects followed so far in this attempt

  curl_slist* build_headers() {
    // No 100-continue round trip; no Accept header (CloudStack sends none).
    static char kNoExpect[] = "Expect:", kNoAccept[] = "Accept:";
    const std::string& lines = request.headers.lines();
    header_nodes.assign(request.headers.size() + 2, curl_slist{});
    const char* line = lines.data();
    for (size_t i = 0; i < request.headers.size(); ++i) {
      header_nodes[i].data = const_cast<char*>(line);  // curl does not write through it
      line += std::strlen(line) + 1;
    }
    header_nodes[header_nodes.size() - 2].data = kNoExpect;
    header_nodes.back().data = kNoAccept;
    for (size_t i = 0; i + 1 < header_nodes.size(); ++i) header_nodes[i].next = &header_nodes[i + 1];
    return header_nodes.data();
  }
};

// The loop's epoll state. Registrations of the sockets the loop opened itself are lazy: curl
// removes a connection's socket when a transfer ends and adds it again when the next transfer
// reuses the connection, which cost three epoll_ctl calls per request (6-7 % of a loop's time).
// Such a socket stays registered while curl does not want it; if it becomes ready meanwhile
// (the server closed the idle connection) it is removed then. Closing it (through
// on_close_socket) forgets its registration, as the kernel does. Sockets curl opens itself
// (its resolver's) are registered and removed eagerly: their closing is not seen here.
struct http_client::loop {
  int epoll_fd = -1;
  long timeout_ms = -1;  // what curl asked for last; -1 = no timer
  std::chrono::steady_clock::time_point deadline;

  struct socket_state {
    std::uint32_t registered = 0;  // the events epoll watches; 0 = not in the interest set
    bool wanted = false;           // curl asked for it and has not removed it since
    bool ours = false;             // opened by on_open_socket, closed by on_close_socket
  };
  std::vector<socket_state> sockets;  // by descriptor

  socket_state& at(int fd) {
    if (static_cast<size_t>(fd) >= sockets.size()) sockets.resize(fd + 1);
    return sockets[fd];
  }
  void watch(int fd, std::uint32_t events) {
    socket_state& st = at(fd);
    st.wanted = true;
    if (st.ours && st.registered == events) return;  // others may have been closed unseen
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    if (epoll_ctl(epoll_fd, st.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) != 0 &&
        errno == (st.registered ? ENOENT : EEXIST))
      epoll_ctl(epoll_fd, st.registered ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
    st.registered = events;
  }
  void unwatch(int fd) {
    socket_state& st = at(fd);
    st.wanted = false;
    if (st.ours || !st.registered) return;  // ours: kept until it is ready or closed
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    st.registered = 0;
  }
  /// False (and the socket removed) for a ready socket curl does not want now.
  bool wanted(int fd) {
    socket_state& st = at(fd);
    if (st.wanted) return true;
    if (st.registered) epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    st.registered = 0;
    return false;
  }
  void opened(int fd) { at(fd) = socket_state{0, false, true}; }
  void closed(int fd) { at(fd) = socket_state{}; }  // the kernel drops it from epoll
};

namespace {

// While requests wait in its queues for room, the loop sleeps at most this long, and
// submitters do not wake it: what they add waits at most this long to be taken.
constexpr long kBacklogLookMs = 1;

// Keeps the first max_bytes of the body and stops the transfer there: a receiver answering
// 100 MB must not cost 100 MB of reading (the status line is already in hand).
size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<http_client::transfer*>(user);
  size_t len = size * n;
  std::string& kept = t->outcome.response;
  size_t room = t->max_bytes > kept.size() ? t->max_bytes - kept.size() : 0;
  kept.append(data, std::min(len, room));
  if (len <= room) return len;
  t->truncated = true;
  return 0;  // CURLE_WRITE_ERROR, read as "answered" in finish_transfer
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  size_t len = size * n;
  static const char name[] = "retry-after:";
  if (len > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0)
    static_cast<std::string*>(user)->assign(data + sizeof name - 1, len - (sizeof name - 1));
  return len;
}

// CURLOPT_OPENSOCKETFUNCTION: the address curl is about to connect to, after its own DNS
// lookup. Checking it here means the address checked is the address used.
curl_socket_t on_open_socket(void* user, curlsocktype, curl_sockaddr* addr) {
  auto* t = static_cast<http_client::transfer*>(user);
  if (t->request.policy) {
    ip_address a;
    if (!ip_address::from_sockaddr(&addr->addr, a) || t->request.policy->blocks(a)) {
      t->blocked = true;
      return CURL_SOCKET_BAD;
    }
  }
  int fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
  if (fd >= 0) t->loop->opened(fd);
  return fd;
}

// CURLOPT_CLOSESOCKETFUNCTION: curl closes a socket on_open_socket opened (it keeps this with
// the connection, so it also runs for connections closed from curl's cache).
int on_close_socket(void* user, curl_socket_t fd) {
  static_cast<http_client::loop*>(user)->closed(fd);
  return close(fd);
}

// CURLOPT_PREREQFUNCTION: called before the request is sent, on new and reused connections
// alike (connected, TLS done). Fails closed when any address of the host was refused (as the
// create-time check does) and checks a reused connection's address against this request's
// policy. A request going out starts its receiver's first round.
int on_prereq(void* user, char* primary_ip, char*, int, int) {
  auto* t = static_cast<http_client::transfer*>(user);
  if (t->request.policy) {
    ip_address a;
    if (t->blocked || !ip_address::parse(primary_ip, a) || t->request.policy->blocks(a)) {
      t->blocked = true;
      return CURL_PREREQFUNC_ABORT;
    }
  }
  t->among->sending(*t->to, std::chrono::steady_clock::now());
  return CURL_PREREQFUNC_OK;
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

namespace {

// CURLMOPT_SOCKETFUNCTION: what curl wants per socket (see http_client::loop).
int on_socket(CURL*, curl_socket_t s, int what, void* user, void*) {
  auto* l = static_cast<http_client::loop*>(user);
  if (what == CURL_POLL_REMOVE)
    l->unwatch(s);
  else
    l->watch(s, (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u));
  return 0;
}

// CURLMOPT_TIMERFUNCTION: -1 deletes the timer, 0 means "call socket_action as soon as you can".
int on_timer(CURLM*, long timeout_ms, void* user) {
  auto* l = static_cast<http_client::loop*>(user);
  l->timeout_ms = timeout_ms;
  if (timeout_ms >= 0)
    l->deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  return 0;
}

}  // namespace

http_client::http_client(engine_options options, const clock_source& clock)
    : options_(std::move(options)), clock_(clock), loop_(std::make_unique<loop>()) {
  concurrency_limit::options share;
  share.max = options_.max_in_flight;
  share.min = options_.adaptive ? options_.min_per_receiver : options_.max_in_flight;
  receivers_ = std::make_unique<receivers>(share);
  multi_ = curl_multi_init();
  CURLM* multi = static_cast<CURLM*>(multi_);
  loop_->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  epoll_ctl(loop_->epoll_fd, EPOLL_CTL_ADD, wake_fd_, &ev);
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, loop_.get());
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, loop_.get());
  // Keep an idle connection per transfer slot, so a full window reuses its connections.
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(options_.max_in_flight));
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "hs-http");  // visible in top -H, perf, gdb
    run();
  });
}

http_client::~http_client() {
  stop(0);
  for (void* h : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(h));
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
  close(loop_->epoll_fd);
  close(wake_fd_);
}

namespace {

void wake(int fd) {
  std::uint64_t one = 1;
  ssize_t n = write(fd, &one, sizeof one);
  (void)n;  // EAGAIN means a wakeup is already pending
}

}  // namespace

void http_client::submit(http_request request) {
  if (!accepting_.load()) return;
  in_flight_.fetch_add(1);
  bool was_empty = false;
  {
    std::lock_guard lock(mutex_);
    was_empty = queue_.empty();
    queue_.push_back(std::move(request));
  }
  // The loop takes everything queued at the end of each turn, so it needs waking only when it
  // sleeps, once per non-empty queue, and not while it holds a backlog (it then looks at the
  // queue at least every kBacklogLookMs): a busy loop takes this at the end of its turn.
  if (was_empty && sleeping_.load() && !backlog_.load()) wake(wake_fd_);
}

void http_client::stop(millis grace_ms) {
  accepting_.store(false);
  stop_deadline_.store(clock_.now_ms() + grace_ms);
  stop_.store(true);
  wake(wake_fd_);
  if (thread_.joinable()) thread_.join();
}

void http_client::fail_transfer(std::unique_ptr<transfer> t, std::string why) {
  t->outcome.transport_error = true;
  t->outcome.response = std::move(why);
  t->outcome.end_ms = clock_.now_ms();
  if (t->request.done) t->request.done(std::move(t->outcome));
  completed_ = true;
  in_flight_.fetch_sub(1);
}

void* http_client::new_handle() {
  // What every transfer shares is set here, once per handle; start_transfer sets every other
  // option on each transfer, so nothing of one transfer carries into the next. Handles are
  // reused without curl_easy_reset, which freed and rebuilt every option per transfer (5 % of
  // a loop's time).
  CURL* easy = curl_easy_init();
  if (!easy) return nullptr;
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_PROXY, "");  // never route deliveries through an env proxy
  // Used only while a transfer verifies (CURLOPT_SSL_VERIFYPEER, set per transfer).
  if (!options_.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, loop_.get());
  curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, on_prereq);
  return easy;
}

void http_client::start_transfer(std::unique_ptr<transfer> t) {
  if (t->outcome.start_ms == 0) t->outcome.start_ms = clock_.now_ms();
  if (t->request.policy) {
    status scheme = t->request.policy->check_scheme(t->request.url);
    if (!scheme) return fail_transfer(std::move(t), scheme.message());
  }
  // Whatever filled the request, nothing goes on the wire that would split a header line.
  if (!t->request.headers.safe())
    return fail_transfer(std::move(t), "Failed due to : header " + t->request.headers.refused() +
                                           " carries a control character; not sent");
  CURL* easy = nullptr;
  if (!idle_handles_.empty()) {
    easy = static_cast<CURL*>(idle_handles_.back());
    idle_handles_.pop_back();
  } else if (!(easy = static_cast<CURL*>(new_handle()))) {
    return fail_transfer(std::move(t), "Failed due to : out of memory");
  }
  const http_request& r = t->request;
  t->max_bytes = options_.max_response_bytes;
  t->loop = loop_.get();
  t->among = receivers_.get();
  curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r.body ? r.body->data() : "");
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(r.body ? r.body->size() : 0));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->build_headers());
  // A redirect hop gets what is left of the attempt's timeout.
  long timeout_ms = std::max<long>(1, r.timeout_ms - (clock_.now_ms() - t->outcome.start_ms));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, r.verify_tls ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, r.verify_tls ? 2L : 0L);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t->retry_after);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, t.get());
  curl_easy_setopt(easy, CURLOPT_PREREQDATA, t.get());
  curl_easy_setopt(easy, CURLOPT_PRIVATE, t.get());
  CURLMcode mc = curl_multi_add_handle(static_cast<CURLM*>(multi_), easy);
  if (mc != CURLM_OK) {
    idle_handles_.push_back(easy);
    return fail_transfer(std::move(t), std::string("Failed due to : ") + curl_multi_strerror(mc));
  }
  active_.insert(easy);
  ++t->to->active;
  t.release();  // owned through CURLOPT_PRIVATE until finish_transfer
}

void http_client::finish_transfer(void* handle, int result) {
  CURL* easy = static_cast<CURL*>(handle);
  transfer* raw = nullptr;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, &raw);
  std::unique_ptr<transfer> t(raw);
  attempt_outcome& out = t->outcome;
  out.end_ms = clock_.now_ms();
  std::string redirect_to;
  if (t->blocked) {
    out.transport_error = true;
    out.response = blocked_address_message(t->request.url);
  } else if (result == CURLE_OK || (result == CURLE_WRITE_ERROR && t->truncated)) {
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &out.http_status);
    if (!t->retry_after.empty()) out.retry_after_s = parse_retry_after(t->retry_after, out.end_ms);
    if (t->request.policy && is_redirect(out.http_status)) {
      char* location = nullptr;
      curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &location);
      if (!t->request.policy->allow_redirects)
        out.response = "Delivery failed due to redirect status code " +
                       std::to_string(out.http_status) + " while redirects are disabled";
      else if (!location || !*location)
        out.response = "Delivery failed due to redirect response without location header";
      else if (t->hops >= url_policy::kMaxRedirects)
        out.response = "Delivery failed due to too many redirect hops (>" +
                       std::to_string(url_policy::kMaxRedirects) + ")";
      else
        redirect_to = location;
    }
  } else {
    out.transport_error = true;
    const char* why = t->error[0] ? t->error : curl_easy_strerror(static_cast<CURLcode>(result));
    out.response = std::string("Failed due to : ") + why;
  }
  receiver& r = *t->to;
  // An answer, or silence until the timeout, tells how long this receiver takes (from the
  // request's sending: connecting is not its answer); a refused connection, a connection that
  // never came up (timed out with nothing sent: pretransfer 0) or a blocked address does not.
  // A fixed share (not adaptive) never moves: nothing to measure.
  if (options_.adaptive) {
    curl_off_t total = 0, sent = 0;
    curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total);
    curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &sent);
    if (out.http_status > 0 || (result == CURLE_OPERATION_TIMEDOUT && sent > 0))
      receivers_->answered(r, static_cast<std::int64_t>(total - sent));
  }
  --r.active;
  curl_multi_remove_handle(static_cast<CURLM*>(multi_), easy);
  idle_handles_.push_back(easy);
  active_.erase(easy);
  if (!redirect_to.empty()) {  // the next hop, inside the same attempt (its receiver's share
    auto next = std::make_unique<transfer>();  // may be full: a hop is not made to wait)
    next->request = std::move(t->request);
    next->request.url = std::move(redirect_to);
    next->to = &receivers_->of(next->request.url);
    next->hops = t->hops + 1;
    next->outcome.start_ms = out.start_ms;
    start_transfer(std::move(next));
  } else {
    if (t->request.done) t->request.done(std::move(out));
    completed_ = true;
    in_flight_.fetch_sub(1);
  }
  receivers_->stand_in_line(r);
}

void http_client::take_queued() {
  {
    std::lock_guard lock(mutex_);
    taken_.swap(queue_);
  }
  start_waiting();  // room freed since the last turn goes to those waiting first
  if (!taken_.empty()) {
    receivers_->forget_idle();  // before any receiver is in hand
    for (auto& request : taken_) {
      receiver& r = receivers_->of(request.url);
      if (r.waiting.empty() && r.has_room() && active_.size() < options_.max_in_flight)
        start_request(r, std::move(request));
      else
        receivers_->wait(r, std::move(request));
    }
    taken_.clear();
    start_waiting();
  }
  backlog_.store(receivers_->waiting() > 0);
}

void http_client::start_waiting() {
  receiver* r = nullptr;
  http_request request;
  while (active_.size() < options_.max_in_flight && receivers_->next(r, request)) {
    start_request(*r, std::move(request));
    receivers_->stand_in_line(*r);  // to the back of the line: receivers take turns
  }
}

void http_client::start_request(receiver& r, http_request request) {
  auto t = std::make_unique<transfer>();
  t->request = std::move(request);
  t->to = &r;
  start_transfer(std::move(t));
}

std::vector<std::pair<std::string, size_t>> http_client::receiver_limits() const {
  return receivers_->limits();
}

void http_client::read_completions() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    // Copy out before remove_handle: msg data is invalid after it.
    CURL* easy = msg->easy_handle;
    int result = msg->data.result;
    finish_transfer(easy, result);
  }
}

void http_client::run() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  constexpr int kMaxEvents = 256;
  epoll_event events[kMaxEvents];
  int running = 0;
  for (;;) {
    if (stop_.load()) {
      // Drop what never started; give transfers on the wire until the deadline.
      std::lock_guard lock(mutex_);
      in_flight_.fetch_sub(queue_.size() + receivers_->drop_waiting());
      queue_.clear();
      if (active_.empty() || clock_.now_ms() >= stop_deadline_.load()) break;
    }
    long wait_ms = 1000;
    if (loop_->timeout_ms >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      loop_->deadline - std::chrono::steady_clock::now())
                      .count();
      wait_ms = std::clamp<long>(left, 0, 1000);
    }
    if (stop_.load()) wait_ms = std::min<long>(wait_ms, 50);
    wait_ms = receivers_->first_round_wait_ms(completions_wait_ms(wait_ms), std::chrono::steady_clock::now());
    if (receivers_->waiting() > 0) wait_ms = std::min(wait_ms, kBacklogLookMs);
    if (wait_ms > 0) {
      // Submitters wake a sleeping loop only; what came in since this turn's take is taken now.
      sleeping_.store(true);
      std::lock_guard lock(mutex_);
      if (!queue_.empty()) wait_ms = 0;
    }
    int n = epoll_wait(loop_->epoll_fd, events, kMaxEvents, static_cast<int>(wait_ms));
    sleeping_.store(false);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        std::uint64_t count = 0;
        ssize_t r = read(wake_fd_, &count, sizeof count);
        (void)r;
        continue;
      }
      if (!loop_->wanted(fd)) continue;
      int flags = (events[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                  (events[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                  (events[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
      curl_multi_socket_action(multi, fd, flags, &running);
    }
    if (loop_->timeout_ms >= 0 && std::chrono::steady_clock::now() >= loop_->deadline) {
      loop_->timeout_ms = -1;
      curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    read_completions();
    receivers_->end_due_first_rounds(std::chrono::steady_clock::now());
    take_queued();  // completions freed room; the wake fd may also have brought work
    hand_over_completions(false);
  }
  abandon_active();
  hand_over_completions(true);
}

void http_client::hand_over_completions(bool now) {
  if (!completed_ || !options_.on_completions) return;
  auto t = std::chrono::steady_clock::now();
  if (!now && t < next_hand_over_) return;
  completed_ = false;
  next_hand_over_ = t + std::chrono::milliseconds(options_.completions_window_ms);
  options_.on_completions();
}

long http_client::completions_wait_ms(long cap) const {
  if (!completed_ || !options_.on_completions) return cap;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(next_hand_over_ - std::chrono::steady_clock::now());
  return std::clamp<long>(left.count(), 0, cap);
}

void http_client::abandon_active() {
  // Transfers still on the wire at the deadline: their pending deliveries stay stored.
  CURLM* multi = static_cast<CURLM*>(multi_);
  for (void* handle : active_) {
    transfer* raw = nullptr;
    curl_easy_getinfo(static_cast<CURL*>(handle), CURLINFO_PRIVATE, &raw);
    delete raw;
    curl_multi_remove_handle(multi, static_cast<CURL*>(handle));
    idle_handles_.push_back(handle);
    in_flight_.fetch_sub(1);
  }
  active_.clear();
}

}  // namespace hookshot::net
