#include "ops/ingest/http_client.h"

#include <curl/curl.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

namespace quiver::ops::ingest {
namespace {

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  std::string_view line(data, size * n);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string lower(line.substr(0, kName.size()));
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower == kName) {
      std::string_view value = line.substr(kName.size());
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      while (!value.empty() &&
             (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
        value.remove_suffix(1);
      }
      static_cast<HttpResponse*>(user)->retry_after_sec =
          ParseRetryAfter(value, std::time(nullptr));
    }
  }
  return size * n;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

HttpClient::HttpClient(HttpEndpoint endpoint) : endpoint_(std::move(endpoint)) {
  GlobalInit();
  CURL* curl = curl_easy_init();
  curl_ = curl;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip for big bodies
  if (!endpoint_.api_key.empty()) {
    headers = curl_slist_append(headers, ("api-key: " + endpoint_.api_key).c_str());
  }
  headers_ = headers;
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "quiver-ingest/0.1");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(endpoint_.timeout_sec * 1000));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(endpoint_.connect_timeout_sec * 1000));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  if (endpoint_.insecure) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!endpoint_.ca_cert.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, endpoint_.ca_cert.c_str());
}

HttpClient::~HttpClient() {
  curl_easy_cleanup(static_cast<CURL*>(curl_));
  curl_slist_free_all(static_cast<curl_slist*>(headers_));
}

base::Result<HttpResponse> HttpClient::Send(std::string_view method, std::string_view path,
                                            std::string_view body) {
  CURL* curl = static_cast<CURL*>(curl_);
  HttpResponse response;
  std::string url = endpoint_.base_url + std::string(path);
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, nullptr);
  } else {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    std::string m(method);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m == "POST" ? nullptr : m.c_str());
  }
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (rc != CURLE_OK) {
    std::string what = error[0] ? error : curl_easy_strerror(rc);
    switch (rc) {
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_URL_MALFORMAT:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_LOGIN_DENIED:
        return base::Status::BadRequest(what);  // retrying cannot help
      default:
        return base::Status::Internal(what);
    }
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

double BackoffDelay(const RetryPolicy& policy, int attempt, std::mt19937_64& rng) {
  double d =
      std::min(policy.max_delay_sec, policy.base_delay_sec * std::pow(2.0, std::min(attempt, 30)));
  std::uniform_real_distribution<double> dist(d / 2, d);
  return dist(rng);
}

bool IsRetryableStatus(long status) { return status == 408 || status == 429 || status >= 500; }

std::optional<double> ParseRetryAfter(std::string_view value, std::time_t now) {
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    if (value.size() > 9) return std::nullopt;
    return std::stod(std::string(value));
  }
  std::time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when < 0) return std::nullopt;
  return std::max(0.0, static_cast<double>(when - now));
}

std::string RedactUrl(std::string_view url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t slash = url.find('/', start);
  size_t at = url.find('@', start);
  if (at == std::string_view::npos || (slash != std::string_view::npos && at > slash)) {
    return std::string(url);
  }
  return std::string(url.substr(0, start)) + "***" + std::string(url.substr(at));
}

std::string ErrorMessageOf(const HttpResponse& response) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view message;
  if (!parser.parse(response.body).get(doc) && !doc.at_pointer("/status/error").get(message)) {
    return std::string(message);
  }
  std::string text = response.body.substr(0, 300);
  std::replace(text.begin(), text.end(), '\n', ' ');
  return "HTTP " + std::to_string(response.status) + (text.empty() ? "" : ": " + text);
}

RetryingClient::RetryingClient(HttpEndpoint endpoint, RetryPolicy policy,
                               const std::atomic<bool>* cancel, std::atomic<uint64_t>* retries)
    : client_(std::move(endpoint)),
      policy_(policy),
      cancel_(cancel),
      retries_(retries),
      rng_(std::random_device{}()) {}

bool RetryingClient::Sleep(double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (cancel_ && cancel_->load()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return !(cancel_ && cancel_->load());
}

base::Result<HttpResponse> RetryingClient::Send(std::string_view method, std::string_view path,
                                                std::string_view body) {
  std::string last;
  for (int attempt = 0; attempt < std::max(1, policy_.max_attempts); ++attempt) {
    if (attempt > 0 && retries_) retries_->fetch_add(1);
    auto r = client_.Send(method, path, body);
    double delay = BackoffDelay(policy_, attempt, rng_);
    if (r.ok()) {
      if (!IsRetryableStatus(r.value().status)) return r;
      last = ErrorMessageOf(r.value());
      if (r.value().retry_after_sec) {
        delay = std::max(delay, std::min(*r.value().retry_after_sec, 300.0));
      }
    } else {
      if (r.status().code() != base::StatusCode::kInternal) return r.status();
      last = r.status().message();
    }
    if (attempt + 1 >= policy_.max_attempts) break;
    if (!Sleep(delay)) return base::Status::Internal("cancelled");
  }
  return base::Status::Internal(std::string(method) + " " + RedactUrl(client_.endpoint().base_url) +
                                std::string(path) + " gave up after " +
                                std::to_string(policy_.max_attempts) + " attempts: " + last);
}

}  // namespace quiver::ops::ingest
