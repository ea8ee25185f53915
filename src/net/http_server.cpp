#include "net/http_server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <type_traits>
#include <vector>

#include "base/work_pool.h"
#include "net/tls_context.h"

namespace quiver::net {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, Handler handler)
      : options_(std::move(options)), handler_(std::move(handler)), acceptor_(ioc_) {}

  base::Status Start();
  void Stop(int grace_sec);
  uint16_t port() const { return bound_port_; }

  void Accept();
  void RejectConnection(tcp::socket s);
  void RequestStarted() { ++inflight_; }
  void RequestFinished() {
    if (--inflight_ == 0) {
      std::lock_guard lock(mu_);
      cv_.notify_all();
    }
  }
  bool stopping() const { return stopping_; }

  HttpServerOptions options_;
  Handler handler_;
  // Before ioc_: sessions still queued in ioc_ are destroyed with it and need the SSL context.
  std::unique_ptr<asio::ssl::context> ssl_;  // set when serving HTTPS
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  std::atomic<int> inflight_{0};
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  uint16_t bound_port_ = 0;
  bool started_ = false;
};

namespace {

// Method, target, path, query and headers of a parsed request (the body is set by the caller).
template <class Message>
HttpRequest RequestOf(const Message& msg) {
  HttpRequest req;
  req.method = std::string(msg.method_string());
  std::string_view target(msg.target().data(), msg.target().size());
  auto q = target.find('?');
  req.path = PercentDecode(target.substr(0, q));
  if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
  while (req.path.size() > 1 && req.path.back() == '/') req.path.pop_back();
  for (const auto& f : msg) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  return req;
}

// Beast 1.74 compares a Content-Length with an unset (boost::none) body limit as over it: "no
// limit" is the largest value instead.
constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

std::string RandomHex() {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ (counter++ << 1);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// One connection; Stream is beast::tcp_stream (HTTP) or TlsStream (HTTPS).
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  // `args` construct the stream: the socket, and for TLS the SSL context.
  template <class... Args>
  Session(HttpServer::Impl* server, Args&&... args)
      : stream_(std::forward<Args>(args)...), server_(server) {
    ++server_->connections_;
  }
  ~Session() { --server_->connections_; }

  void Start() {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().set_option(tcp::no_delay(true), ec);
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::Begin, this->shared_from_this()));
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  const HttpServerOptions& opt() const { return server_->options_; }

  // HTTPS: the TLS handshake first, within header_timeout_sec. A client speaking plain HTTP (or
  // without the required certificate) fails here and the connection is closed.
  void Begin() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(
          std::chrono::seconds(opt().header_timeout_sec));
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  spdlog::debug("TLS handshake failed: {}", ec.message());
                                  beast::error_code ignored;
                                  beast::get_lowest_layer(self->stream_).socket().close(ignored);
                                  return;
                                }
                                self->ReadHeader();
                              });
    } else {
      ReadHeader();
    }
  }

  // Between requests a keep-alive connection may stay idle for idle_timeout_sec; once the first
  // byte of a request is there (or on a new connection), its headers must arrive within
  // header_timeout_sec, so a client trickling header bytes cannot hold the connection.
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(64 * 1024);
    parser_->body_limit(kNoLimit);  // checked in OnHeader, once the route is known
    file_parser_.reset();
    spooled_.reset();
    if (first_request_ || buffer_.size() > 0) {
      first_request_ = false;
      return ReadHeaderNow();
    }
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(opt().idle_timeout_sec));
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->OnError(ec);
                              self->buffer_.commit(n);
                              self->ReadHeaderNow();
                            });
  }

  void ReadHeaderNow() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(opt().header_timeout_sec));
    http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&Session::OnHeader, this->shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return OnError(ec);
    auto& req = parser_->get();
    std::string spool_dir;
    if (opt().body_spool_dir) {
      spool_dir = opt().body_spool_dir(RequestOf(req));
    }
    if (spool_dir.empty()) {
      if (parser_->content_length() && *parser_->content_length() > opt().max_body_bytes) {
        return OnError(http::error::body_limit);
      }
      parser_->body_limit(opt().max_body_bytes);
    }
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(opt().read_timeout_sec));
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      http::async_write(
          stream_, *cont,
          [self = this->shared_from_this(), cont, spool_dir](beast::error_code wec, size_t) {
            if (wec) return self->OnError(wec);
            self->StartBody(spool_dir);
          });
      return;
    }
    StartBody(spool_dir);
  }

  void StartBody(const std::string& spool_dir) {
    if (spool_dir.empty()) {
      http::async_read(stream_, buffer_, *parser_,
                       beast::bind_front_handler(&Session::OnRead, this->shared_from_this()));
      return;
    }
    auto spooled = std::make_shared<SpooledBody>();
    std::error_code dir_ec;
    std::filesystem::create_directories(spool_dir, dir_ec);
    std::string path = spool_dir + "/.body-" + RandomHex() + ".tmp";
    file_parser_.emplace(std::move(*parser_));
    parser_.reset();
    file_parser_->body_limit(kNoLimit);
    beast::error_code ec;
    file_parser_->get().body().open(path.c_str(), beast::file_mode::write_new, ec);
    if (ec) {
      spdlog::error("cannot spool a request body to {}: {}", path, ec.message());
      return Fail(500, "Service internal error: cannot store the request body: " + ec.message());
    }
    spooled->path = path;
    spooled_ = std::move(spooled);
    ReadSpooled();
  }

  // A spooled body has no size limit, so its timeout is the longest pause between reads.
  void ReadSpooled() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(opt().read_timeout_sec));
    http::async_read_some(stream_, buffer_, *file_parser_,
                          [self = this->shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) return self->OnError(ec);
                            if (!self->file_parser_->is_done()) return self->ReadSpooled();
                            self->OnSpooled();
                          });
  }

  void OnSpooled() {
    beast::get_lowest_layer(stream_).expires_never();
    auto msg = file_parser_->release();
    file_parser_.reset();
    msg.body().close();
    std::error_code ec;
    auto size = std::filesystem::file_size(spooled_->path, ec);
    std::const_pointer_cast<SpooledBody>(spooled_)->size = ec ? 0 : size;
    keep_alive_ = msg.keep_alive() && !server_->stopping();
    HttpRequest req = RequestOf(msg);
    req.body_file = std::move(spooled_);
    Dispatch(std::move(req));
  }

  // Answers an error produced by the server itself and closes the connection.
  void Fail(int status, const std::string& message) {
    keep_alive_ = false;
    server_->RequestStarted();
    Write(opt().error_response ? opt().error_response(status, message)
                               : HttpResponse{status, "text/plain", message, {}, {}});
  }

  void OnError(beast::error_code ec) {
    spooled_.reset();  // removes a partly written body file
    file_parser_.reset();
    if (ec == http::error::body_limit) {
      uint64_t mb = opt().max_body_bytes >> 20;
      return Fail(413, "Payload too large: the request body is over the limit of " +
                           std::to_string(mb) + " MB (service.max_request_size_mb)");
    }
    if (ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return Fail(400, "Bad HTTP request: " + ec.message());
    }
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec) return OnError(ec);
    beast::get_lowest_layer(stream_).expires_never();
    auto msg = parser_->release();
    keep_alive_ = msg.keep_alive() && !server_->stopping();
    HttpRequest req = RequestOf(msg);
    req.body = std::move(msg.body());
    Dispatch(std::move(req));
  }

  void Dispatch(HttpRequest&& req) {
    server_->RequestStarted();
    auto self = this->shared_from_this();
    base::WorkPool::Busy busy;  // while the handler runs on this thread
    server_->handler_(std::move(req), [self](HttpResponse resp) {
      asio::post(self->stream_.get_executor(),
                 [self, resp = std::move(resp)]() mutable { self->Write(std::move(resp)); });
    });
  }

  void Write(HttpResponse r) {
    if (!r.body_file.empty()) {
      http::file_body::value_type file;
      beast::error_code ec;
      file.open(r.body_file.c_str(), beast::file_mode::scan, ec);
      if (!ec) return WriteFile(std::move(r), std::move(file));
      spdlog::error("cannot open {} for a response: {}", r.body_file, ec.message());
      const std::string msg = "Service internal error: cannot read the file";
      r = server_->options_.error_response ? server_->options_.error_response(500, msg)
                                           : HttpResponse{500, "text/plain", msg, {}, {}};
    }
    res_ = {};
    res_.version(11);
    res_.result(static_cast<unsigned>(r.status));
    res_.set(http::field::server, "quiver");
    if (!r.content_type.empty()) res_.set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res_.set(k, v);
    res_.body() = std::move(r.body);
    res_.keep_alive(keep_alive_ && !server_->stopping());
    res_.prepare_payload();
    write_keep_alive_ = res_.keep_alive();
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&Session::OnWrite, this->shared_from_this()));
  }

  // A response whose body is streamed from a file (never held in memory whole).
  void WriteFile(HttpResponse r, http::file_body::value_type file) {
    file_res_.emplace();
    file_res_->version(11);
    file_res_->result(static_cast<unsigned>(r.status));
    file_res_->set(http::field::server, "quiver");
    if (!r.content_type.empty()) file_res_->set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) file_res_->set(k, v);
    file_res_->body() = std::move(file);
    file_res_->keep_alive(keep_alive_ && !server_->stopping());
    file_res_->prepare_payload();
    write_keep_alive_ = file_res_->keep_alive();
    http::async_write(stream_, *file_res_,
                      beast::bind_front_handler(&Session::OnWrite, this->shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t) {
    server_->RequestFinished();
    file_res_.reset();
    if (ec) return;
    if (!write_keep_alive_) {
      beast::error_code ignored;
      beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    ReadHeader();
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::request_parser<http::file_body>> file_parser_;
  std::shared_ptr<const SpooledBody> spooled_;
  bool first_request_ = true;
  http::response<http::string_body> res_;
  std::optional<http::response<http::file_body>> file_res_;
  bool write_keep_alive_ = true;
  HttpServer::Impl* server_;
  bool keep_alive_ = true;
};

}  // namespace

base::Status HttpServer::Impl::Start() {
  if (options_.tls) {
    auto ctx = MakeServerTlsContext(*options_.tls);
    if (!ctx.ok()) return ctx.status();
    ssl_ = std::move(ctx.value());
  }
  beast::error_code ec;
  auto address = asio::ip::make_address(options_.host, ec);
  if (ec) return base::Status::BadInput("service.host: invalid address `" + options_.host + "`");
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return base::Status::Internal("cannot listen on " + options_.host + ":" +
                                  std::to_string(options_.port) + ": " + ec.message());
  }
  bound_port_ = acceptor_.local_endpoint().port();
  Accept();
  int n = std::max(1, options_.threads);
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { ioc_.run(); });
  started_ = true;
  return base::Status::Ok();
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      spdlog::warn("accept failed: {}", ec.message());
    } else if (connections_.load() >= options_.max_connections) {
      RejectConnection(std::move(s));
    } else {
      if (ssl_) {
        std::make_shared<Session<TlsStream>>(this, std::move(s), *ssl_)->Start();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(this, std::move(s))->Start();
      }
    }
    if (acceptor_.is_open()) Accept();
  });
}

// Over service.max_connections: a short 503 (with Retry-After, which `quiver ingest` and Qdrant
// clients honour) written without waiting, then the socket is closed.
void HttpServer::Impl::RejectConnection(tcp::socket s) {
  const std::string msg = "Service unavailable: too many connections (the limit is " +
                          std::to_string(options_.max_connections) + ", service.max_connections)";
  HttpResponse r = options_.error_response ? options_.error_response(503, msg)
                                           : HttpResponse{503, "text/plain", msg, {}, {}};
  std::string raw =
      "HTTP/1.1 503 Service Unavailable\r\nServer: quiver\r\nContent-Type: " + r.content_type +
      "\r\nContent-Length: " + std::to_string(r.body.size()) +
      "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + r.body;
  beast::error_code ec;
  s.non_blocking(true, ec);
  s.write_some(asio::buffer(raw), ec);
  s.shutdown(tcp::socket::shutdown_send, ec);
  s.close(ec);
  static std::atomic<uint64_t> rejected{0};
  if (rejected++ % 100 == 0) spdlog::warn("{}", msg);
}

void HttpServer::Impl::Stop(int grace_sec) {
  if (!started_) return;
  started_ = false;
  stopping_ = true;
  std::promise<void> closed;
  asio::post(acceptor_.get_executor(), [this, &closed] {
    beast::error_code ec;
    acceptor_.close(ec);
    closed.set_value();
  });
  closed.get_future().wait();
  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(grace_sec), [this] { return inflight_ == 0; });
  }
  ioc_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

HttpServer::HttpServer(HttpServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}
HttpServer::~HttpServer() { Stop(0); }
base::Status HttpServer::Start() { return impl_->Start(); }
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Stop(int grace_sec) { impl_->Stop(grace_sec); }

}  // namespace quiver::net
