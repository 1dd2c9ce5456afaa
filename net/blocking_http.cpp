#include "net/blocking_http.hpp"

#include <curl/curl.h>

namespace hookshot::net {
namespace {

size_t collect(char* data, size_t size, size_t n, void* user) {
  if (user) static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

result<long> perform(CURL* easy, std::string* body) {
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_PROXY, "");
  CURLcode rc = curl_easy_perform(easy);
  long code = 0;
  if (rc == CURLE_OK) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup(easy);
  if (rc != CURLE_OK) return status::unavailable(curl_easy_strerror(rc));
  return code;
}

}  // namespace

result<long> http_get(const std::string& url, std::string* body, long timeout_ms) {
  CURL* easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  return perform(easy, body);
}

result<long> http_post(const std::string& url, const std::string& body,
                       const std::vector<std::string>& headers, std::string* answer,
                       long timeout_ms) {
  CURL* easy = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  auto r = perform(easy, answer);
  curl_slist_free_all(list);
  return r;
}

keepalive_poster::keepalive_poster(const std::string& url, const std::vector<std::string>& headers,
                                   long timeout_ms) {
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  list = curl_slist_append(list, "Expect:");
  CURL* easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_PROXY, "");
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, nullptr);
  easy_ = easy;
  headers_ = list;
}

keepalive_poster::~keepalive_poster() {
  curl_easy_cleanup(static_cast<CURL*>(easy_));
  curl_slist_free_all(static_cast<curl_slist*>(headers_));
}

long keepalive_poster::post(const std::string& body) {
  CURL* easy = static_cast<CURL*>(easy_);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  long code = 0;
  if (curl_easy_perform(easy) != CURLE_OK) return 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  return code;
}

}  // namespace hookshot::net
