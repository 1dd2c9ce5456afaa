#include "net/http_server.hpp"

#include <pthread.h>
#include <strings.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>

namespace hookshot::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string incoming_request::header(const std::string& name) const {
  for (const auto& [n, v] : headers)
    if (strcasecmp(n.c_str(), name.c_str()) == 0) return v;
  return {};
}

std::string incoming_request::path() const {
  return target.substr(0, target.find('?'));
}

status parse_listen(const std::string& listen, std::string& host, std::uint16_t& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size())
    return status::invalid_argument("'" + listen + "' is not host:port");
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string p = listen.substr(colon + 1);
  char* end = nullptr;
  long v = std::strtol(p.c_str(), &end, 10);
  if (*end != '\0' || v < 0 || v > 65535)
    return status::invalid_argument("'" + listen + "' has no valid port");
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  if (ec) return status::invalid_argument("'" + listen + "' has no valid IP address");
  port = static_cast<std::uint16_t>(v);
  return status::ok();
}

namespace {

class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, const request_handler& handler, std::uint64_t body_limit)
      : from_loopback_(peer_is_loopback(socket)),
        stream_(std::move(socket)),
        handler_(handler),
        body_limit_(body_limit) {}

  void start() { do_read(); }

 private:
  // Beast reads into whatever room the buffer has, and at least 512 bytes: a buffer left at
  // its first size reads a 100 KiB batch of events in ~200 recv() calls, each with a timer
  // reset. So the header is read first, and a body gets room for up to kBodyChunk bytes per
  // read; the room is given back once the request is in, so idle connections hold none.
  static constexpr size_t kBodyChunk = 64 * 1024;
  static constexpr size_t kIdleBuffer = 4 * 1024;

  void do_read() {
    parser_.emplace();
    parser_->body_limit(body_limit_);
    stream_.expires_after(std::chrono::seconds(60));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read(ec);
    if (auto length = parser_->content_length(); length && !parser_->is_done()) {
      size_t want = buffer_.size() + static_cast<size_t>(std::min<std::uint64_t>(*length, kBodyChunk));
      if (buffer_.capacity() < want) buffer_.reserve(want);
    }
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (buffer_.capacity() > kIdleBuffer && buffer_.size() < kIdleBuffer) buffer_.shrink_to_fit();
    if (ec == http::error::body_limit) {
      outgoing_response r;
      r.status = 413;
      r.body = "{\"error\":\"request body exceeds the limit of " + std::to_string(body_limit_) +
               " bytes\"}";
      keep_alive_ = false;
      return write(std::move(r));
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      // Malformed (a control character in a header value, a bad request line, ...): say so,
      // then close, since where the next request would start is unknown.
      outgoing_response r;
      r.status = 400;
      r.body = "{\"error\":\"malformed HTTP request: " + ec.message() + "\"}";
      keep_alive_ = false;
      return write(std::move(r));
    }
    if (ec) return;  // closed or timed out: nobody to answer
    auto req = parser_->release();
    keep_alive_ = req.keep_alive();
    incoming_request in;
    in.method = std::string(req.method_string());
    in.target = std::string(req.target());
    in.body = std::move(req.body());
    in.headers.reserve(16);
    for (const auto& f : req) in.headers.emplace_back(f.name_string(), f.value());
    in.from_loopback = from_loopback_;
    stream_.expires_never();
    auto self = shared_from_this();
    // dispatch: a handler that answers at once (on this strand) writes inline, no extra hop.
    handler_(std::move(in), [self](outgoing_response r) {
      asio::dispatch(self->stream_.get_executor(),
                     [self, r = std::move(r)]() mutable { self->write(std::move(r)); });
    });
  }

  void write(outgoing_response r) {
    res_ = {};
    res_.version(11);
    res_.result(r.status);
    res_.set(http::field::server, "hookshot");
    if (!r.content_type.empty()) res_.set(http::field::content_type, r.content_type);
    for (auto& [n, v] : r.headers) res_.set(n, v);
    res_.body() = std::move(r.body);
    res_.keep_alive(keep_alive_);
    res_.prepare_payload();
    stream_.expires_after(std::chrono::seconds(60));
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec || !self->keep_alive_) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      self->do_read();
    });
  }

  // A connection's peer does not change: asked once, not with a system call per request.
  static bool peer_is_loopback(const tcp::socket& socket) {
    beast::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    return !ec && ep.address().is_loopback();
  }

  const bool from_loopback_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;  // one response at a time per connection
  const request_handler& handler_;
  std::uint64_t body_limit_;
  bool keep_alive_ = true;
};

}  // namespace

struct http_server::impl {
  server_options options;
  request_handler handler;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;

  void do_accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) {
        s.set_option(tcp::no_delay(true), ec);
        std::make_shared<session>(std::move(s), handler, options.body_limit)->start();
      }
      do_accept();
    });
  }
};

http_server::http_server(server_options options, request_handler handler)
    : impl_(std::make_unique<impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

http_server::~http_server() {
  stop();
}

status http_server::start() {
  std::string host;
  std::uint16_t port = 0;
  status st = parse_listen(impl_->options.listen, host, port);
  if (!st) return st;
  tcp::endpoint ep(asio::ip::make_address(host), port);
  beast::error_code ec;
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return status::io_error("cannot listen on " + impl_->options.listen + ": " + ec.message());
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->do_accept();
  for (size_t i = 0; i < std::max<size_t>(1, impl_->options.threads); ++i)
    impl_->threads.emplace_back([this] {
      pthread_setname_np(pthread_self(), "hs-server");
      impl_->ioc.run();
    });
  return status::ok();
}

void http_server::stop() {
  if (!impl_) return;
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
}

std::uint16_t http_server::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void http_server::post_after(long delay_ms, std::function<void()> fn) {
  if (delay_ms <= 0) {
    asio::post(impl_->ioc, std::move(fn));
    return;
  }
  auto timer =
      std::make_shared<asio::steady_timer>(impl_->ioc, std::chrono::milliseconds(delay_ms));
  timer->async_wait([timer, fn = std::move(fn)](beast::error_code) { fn(); });
}

}  // namespace hookshot::net
