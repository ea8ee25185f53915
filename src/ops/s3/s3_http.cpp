#include "ops/s3/s3_http.h"

#include <curl/curl.h>
#include <openssl/sha.h>
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <memory>
#include <mutex>

#include "ops/s3/s3_sigv4.h"

namespace quiver::ops::s3 {
namespace {

constexpr size_t kMaxErrorBody = 1 << 20;

struct Exchange {
  CURL* curl = nullptr;
  std::FILE* sink = nullptr;
  std::string* body = nullptr;
  std::string* etag = nullptr;
  bool sink_failed = false;
};

size_t OnWrite(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(ex->curl, CURLINFO_RESPONSE_CODE, &status);
  if (ex->sink != nullptr && status >= 200 && status < 300) {
    if (std::fwrite(data, 1, n, ex->sink) != n) {
      ex->sink_failed = true;
      return 0;
    }
    return n;
  }
  if (ex->sink != nullptr || status >= 300) {
    const size_t room = kMaxErrorBody - std::min(kMaxErrorBody, ex->body->size());
    ex->body->append(data, std::min(n, room));
    return n;
  }
  ex->body->append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (name == "etag") {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      while (!value.empty() &&
             (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
        value.remove_suffix(1);
      }
      *ex->etag = std::string(value);
    }
  }
  return n;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

base::Result<HttpResponse> Perform(const HttpRequest& request) {
  GlobalInit();
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return base::Status::Internal("S3: cannot create a libcurl handle");
  CURL* h = curl.get();
  HttpResponse response;
  Exchange ex{h, request.sink, &response.body, &response.etag};

  std::vector<std::string> lines = request.headers;
  const bool has_body = request.method == "PUT" || request.method == "POST";
  auto has_header = [&](std::string_view name) {
    for (const std::string& line : lines) {
      if (line.size() > name.size() && line[name.size()] == ':' &&
          strncasecmp(line.c_str(), name.data(), name.size()) == 0) {
        return true;
      }
    }
    return false;
  };
  if (has_body && !has_header("content-type")) {
    lines.push_back("Content-Type: application/octet-stream");
  }
  if (!request.access_key_id.empty()) {
    const size_t host_start = request.url.find("://");
    if (host_start == std::string::npos)
      return base::Status::BadInput("S3: bad URL " + request.url);
    const size_t path_start = request.url.find('/', host_start + 3);
    const size_t query_start = request.url.find('?');
    SigningRequest sign;
    sign.method = request.method;
    const std::string host = request.url.substr(host_start + 3, path_start - host_start - 3);
    if (path_start == std::string::npos) {
      sign.canonical_uri = "/";
    } else {
      sign.canonical_uri = request.url.substr(path_start, query_start - path_start);
    }
    if (query_start != std::string::npos)
      sign.canonical_query = request.url.substr(query_start + 1);
    sign.region = request.region;
    sign.access_key_id = request.access_key_id;
    sign.secret_access_key = request.secret_access_key;
    lines.push_back("Host: " + host);
    lines.push_back("x-amz-date: " + AmzDate(std::time(nullptr)));
    for (const std::string& line : lines) {
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      size_t v = colon + 1;
      while (v < line.size() && line[v] == ' ') ++v;
      sign.headers[name] = line.substr(v);
    }
    lines.push_back("Authorization: " + AuthorizationHeader(sign));
  }
  curl_slist* headers = nullptr;
  for (const std::string& header : lines) headers = curl_slist_append(headers, header.c_str());
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> header_list(headers, curl_slist_free_all);

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
  // A stalled transfer (under 1 byte/s for 60 s) is a failure; size-independent, so no total
  // timeout.
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnWrite);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!request.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, request.ca_file.c_str());
  if (request.method == "PUT" || request.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);

  const CURLcode rc = curl_easy_perform(h);
  if (ex.sink_failed) {
    return base::Status::Internal("S3: " + request.method + " " + request.url +
                                  ": writing the downloaded data failed");
  }
  if (rc != CURLE_OK) {
    return base::Status::Internal("S3: " + request.method + " " + request.url + ": " +
                                  (error[0] ? error : curl_easy_strerror(rc)));
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace quiver::ops::s3
