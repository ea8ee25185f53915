// HTTP/1.1 server (Boost.Beast behind a pimpl): keep-alive, one I/O thread per worker, handlers run
// on the I/O thread and may answer later from any thread (used for fsync waits).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "net/http_types.h"

namespace quiver::net {

// HTTPS for the server: PEM files (Qdrant's tls.cert, tls.key, tls.ca_cert).
struct TlsOptions {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;         // CAs for client certificates
  bool verify_client = false;  // require a client certificate signed by ca_file
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 6333;
  int threads = 2;
  uint64_t max_body_bytes = 32ull << 20;
  int header_timeout_sec =
      10;                     // from the first byte of a request (or the connection) to its headers
  int read_timeout_sec = 60;  // the whole body; for spooled bodies, the longest pause between reads
  int idle_timeout_sec = 60;  // keep-alive connection with no request
  int max_connections = 1024;  // above this, new connections get a 503 and are closed
  // When set and it returns a directory for a request (given with its headers, no body yet), the
  // body is streamed to a temporary file there (HttpRequest::body_file) with no size limit, never
  // held in memory. "" = the body is read into memory up to max_body_bytes.
  std::function<std::string(const HttpRequest& head)> body_spool_dir;
  // HTTPS instead of plain HTTP when set; Start fails (naming the file) when a file is unusable.
  std::optional<TlsOptions> tls;
  // Renders an error response produced by the server itself (413, 400 on unparsable HTTP).
  std::function<HttpResponse(int status, const std::string& message)> error_response;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, Handler handler);
  ~HttpServer();

  // Binds and starts the worker threads. An error when the address cannot be bound.
  base::Status Start();
  // The bound port (useful with port 0).
  uint16_t port() const;
  // Graceful stop: stops accepting, lets in-flight requests finish (up to `grace_sec`), then
  // closes connections and joins the threads.
  void Stop(int grace_sec = 10);

  // Whether the TLS files can be used (as Start would load them); for --check-config.
  static base::Status CheckTls(const TlsOptions& tls);

  class Impl;  // public so that the connection sessions in the .cpp can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace quiver::net
