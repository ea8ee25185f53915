// HTTP request/response values shared by the server and the API layer (no Beast here).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace quiver::net {

// A request body the server wrote to a temporary file instead of memory (routes chosen by
// HttpServerOptions::body_spool_dir). The file is removed when the last reference goes.
struct SpooledBody {
  std::string path;
  uint64_t size = 0;
  SpooledBody() = default;
  SpooledBody(const SpooledBody&) = delete;
  SpooledBody& operator=(const SpooledBody&) = delete;
  ~SpooledBody() {
    if (!path.empty()) std::remove(path.c_str());
  }
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path without the query string, trailing '/' trimmed
  std::string query;   // raw query string (after '?')
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  // Set instead of `body` when the body was spooled to disk.
  std::shared_ptr<const SpooledBody> body_file;

  // The first header with this lowercase name, or "".
  std::string_view Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return {};
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When not empty: the body is the whole file at this path, streamed from disk (`body` is
  // ignored); used for snapshot downloads. If it cannot be opened the answer is a 500.
  std::string body_file;
};

// Sends the response; call exactly once, from any thread.
using Responder = std::function<void(HttpResponse)>;
using Handler = std::function<void(HttpRequest&& request, Responder respond)>;

}  // namespace quiver::net
