#include "net/http_client.hpp"

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>

#include "core/retry_policy.hpp"

namespace hookshot::net {

struct http_client::transfer {
  http_request request;
  curl_slist* headers = nullptr;
  char error[CURL_ERROR_SIZE] = {0};
  attempt_outcome outcome;
  std::string retry_after;
  size_t max_bytes = 0;

  ~transfer() { curl_slist_free_all(headers); }
};

namespace {

// Reads the whole body, keeps its first max_bytes.
size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<http_client::transfer*>(user);
  size_t len = size * n;
  std::string& kept = t->outcome.response;
  size_t room = t->max_bytes > kept.size() ? t->max_bytes - kept.size() : 0;
  kept.append(data, std::min(len, room));
  return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  size_t len = size * n;
  static const char name[] = "retry-after:";
  if (len > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0)
    static_cast<std::string*>(user)->assign(data + sizeof name - 1, len - (sizeof name - 1));
  return len;
}

}  // namespace

http_client::http_client(engine_options options, const clock_source& clock)
    : options_(std::move(options)), clock_(clock) {
  multi_ = curl_multi_init();
  thread_ = std::thread([this] { run(); });
}

http_client::~http_client() {
  stop(0);
  for (void* h : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(h));
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

void http_client::submit(http_request request) {
  if (!accepting_.load()) return;
  in_flight_.fetch_add(1);
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(request));
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
}

void http_client::stop(millis grace_ms) {
  accepting_.store(false);
  stop_deadline_.store(clock_.now_ms() + grace_ms);
  stop_.store(true);
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  if (thread_.joinable()) thread_.join();
}

void http_client::start_transfer(std::unique_ptr<transfer> t) {
  CURL* easy = nullptr;
  if (!idle_handles_.empty()) {
    easy = static_cast<CURL*>(idle_handles_.back());
    idle_handles_.pop_back();
    curl_easy_reset(easy);
  } else {
    easy = curl_easy_init();
  }
  const http_request& r = t->request;
  for (const auto& [name, value] : r.headers)
    t->headers = curl_slist_append(t->headers, (name + ": " + value).c_str());
  t->headers = curl_slist_append(t->headers, "Expect:");  // no 100-continue round trip
  t->headers = curl_slist_append(t->headers, "Accept:");  // CloudStack sends none
  t->max_bytes = options_.max_response_bytes;
  curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r.body ? r.body->data() : "");
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(r.body ? r.body->size() : 0));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, r.timeout_ms);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, r.timeout_ms);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, r.verify_tls ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, r.verify_tls ? 2L : 0L);
  if (r.verify_tls && !options_.ca_file.empty())
    curl_easy_setopt(easy, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t->retry_after);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error);
  t->outcome.start_ms = clock_.now_ms();
  curl_easy_setopt(easy, CURLOPT_PRIVATE, t.get());
  CURLMcode mc = curl_multi_add_handle(static_cast<CURLM*>(multi_), easy);
  if (mc != CURLM_OK) {
    t->outcome.transport_error = true;
    t->outcome.response = std::string("Failed due to : ") + curl_multi_strerror(mc);
    t->outcome.end_ms = clock_.now_ms();
    t->request.done(std::move(t->outcome));
    idle_handles_.push_back(easy);
    in_flight_.fetch_sub(1);
    return;
  }
  active_.insert(easy);
  t.release();  // owned through CURLOPT_PRIVATE until finish_transfer
}

void http_client::finish_transfer(void* handle, int result) {
  CURL* easy = static_cast<CURL*>(handle);
  transfer* raw = nullptr;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, &raw);
  std::unique_ptr<transfer> t(raw);
  attempt_outcome& out = t->outcome;
  out.end_ms = clock_.now_ms();
  if (result == CURLE_OK) {
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &out.http_status);
    if (!t->retry_after.empty()) out.retry_after_s = parse_retry_after(t->retry_after, out.end_ms);
  } else {
    out.transport_error = true;
    const char* why = t->error[0] ? t->error : curl_easy_strerror(static_cast<CURLcode>(result));
    out.response = std::string("Failed due to : ") + why;
  }
  curl_multi_remove_handle(static_cast<CURLM*>(multi_), easy);
  idle_handles_.push_back(easy);
  active_.erase(easy);
  if (t->request.done) t->request.done(std::move(out));
  in_flight_.fetch_sub(1);
}

void http_client::run() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  std::vector<http_request> incoming;
  for (;;) {
    if (stop_.load()) {
      // Drop what never started; give transfers on the wire until the deadline.
      std::lock_guard lock(mutex_);
      in_flight_.fetch_sub(queue_.size());
      queue_.clear();
      if (active_.empty() || clock_.now_ms() >= stop_deadline_.load()) break;
    }
    {
      std::lock_guard lock(mutex_);
      size_t room = options_.max_in_flight > active_.size() ? options_.max_in_flight - active_.size() : 0;
      size_t take = std::min(room, queue_.size());
      incoming.assign(std::make_move_iterator(queue_.begin()),
                      std::make_move_iterator(queue_.begin() + static_cast<long>(take)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(take));
    }
    for (auto& r : incoming) {
      auto t = std::make_unique<transfer>();
      t->request = std::move(r);
      start_transfer(std::move(t));
    }
    incoming.clear();
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg == CURLMSG_DONE) {
        // Copy out before remove_handle: msg data is invalid after it.
        CURL* easy = msg->easy_handle;
        int result = msg->data.result;
        finish_transfer(easy, result);
      }
    }
    curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  // Abandon transfers still on the wire at the deadline; their pending deliveries stay stored.
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
