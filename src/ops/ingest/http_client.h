// HTTP client for the Qdrant REST API (libcurl; one keep-alive connection per HttpClient), and a
// retrying wrapper: exponential backoff with jitter on transport errors, 5xx, 408 and 429
// (honouring Retry-After).
#pragma once

#include <atomic>
#include <cstdint>
#include <ctime>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "base/status.h"

namespace quiver::ops::ingest {

struct HttpEndpoint {
  std::string base_url;   // "http://host:6333" or "https://...", no trailing slash
  std::string api_key;    // sent as `api-key`; never logged
  bool insecure = false;  // do not verify the server's TLS certificate
  std::string ca_cert;    // PEM bundle to verify against ("" = system)
  double timeout_sec = 120;
  double connect_timeout_sec = 10;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::optional<double> retry_after_sec;  // from a Retry-After header
};

class HttpClient {
 public:
  explicit HttpClient(HttpEndpoint endpoint);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One request (body sent as application/json when not empty) on this client's connection,
  // reused across calls. Transport failures are a non-ok Status with curl's message: kInternal
  // when a retry may help (refused, reset, timeout, TLS handshake), kBadRequest when it cannot
  // (bad URL or protocol, certificate verification). Any HTTP answer, 4xx and 5xx included, is ok.
  base::Result<HttpResponse> Send(std::string_view method, std::string_view path,
                                  std::string_view body);

  const HttpEndpoint& endpoint() const { return endpoint_; }

 private:
  HttpEndpoint endpoint_;
  void* curl_ = nullptr;
  void* headers_ = nullptr;
};

struct RetryPolicy {
  int max_attempts = 10;  // total tries per request
  double base_delay_sec = 0.1;
  double max_delay_sec = 10;
};

// Delay before retry `attempt` (0 = the first retry): d = min(max, base * 2^attempt), drawn
// uniformly from [d/2, d] ("equal jitter"), so that parallel clients do not retry in lockstep.
double BackoffDelay(const RetryPolicy& policy, int attempt, std::mt19937_64& rng);

// True for answers worth retrying unchanged: 408, 429 and 5xx.
bool IsRetryableStatus(long status);

// Seconds to wait from a Retry-After value (delta-seconds or an HTTP date); nullopt when invalid.
std::optional<double> ParseRetryAfter(std::string_view value, std::time_t now);

// "http://user:pw@host/x" -> "http://***@host/x" for messages.
std::string RedactUrl(std::string_view url);

// HttpClient plus the retry policy. `cancel` (may be null) aborts waits early; `retries` (may be
// null) counts retries for the report.
class RetryingClient {
 public:
  RetryingClient(HttpEndpoint endpoint, RetryPolicy policy, const std::atomic<bool>* cancel,
                 std::atomic<uint64_t>* retries);

  // Sends until an answer that is not retryable (2xx, most 4xx) and returns it. Internal error
  // "... gave up after N attempts: <last problem>" when every attempt failed, or "cancelled";
  // a transport failure that retrying cannot fix (see HttpClient::Send) is returned at once.
  base::Result<HttpResponse> Send(std::string_view method, std::string_view path,
                                  std::string_view body);

  const HttpEndpoint& endpoint() const { return client_.endpoint(); }

 private:
  bool Sleep(double seconds);  // false when cancelled
  HttpClient client_;
  RetryPolicy policy_;
  const std::atomic<bool>* cancel_;
  std::atomic<uint64_t>* retries_;
  std::mt19937_64 rng_;
};

// The message of a Qdrant error body ({"status":{"error":"..."}}), or the body's start.
std::string ErrorMessageOf(const HttpResponse& response);

}  // namespace quiver::ops::ingest
