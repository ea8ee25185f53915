#include "ops/snapshot/snapshot_download.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>

namespace quiver::ops {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

// A URL part as a string, or "" when absent.
std::string Part(CURLU* u, CURLUPart part) {
  char* v = nullptr;
  if (curl_url_get(u, part, &v, 0) != CURLUE_OK || v == nullptr) return {};
  std::string out(v);
  curl_free(v);
  return out;
}

size_t WriteToFile(char* data, size_t size, size_t n, void* file) {
  return std::fwrite(data, size, n, static_cast<FILE*>(file)) * size;
}

}  // namespace

base::Result<std::string> UrlHost(const std::string& url) {
  std::unique_ptr<CURLU, CurlUrlDeleter> u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return base::Status::BadRequest("invalid snapshot URL " + RedactUrl(url));
  }
  std::string scheme = Lower(Part(u.get(), CURLUPART_SCHEME));
  if (scheme != "http" && scheme != "https") {
    return base::Status::BadRequest("URL " + RedactUrl(url) + " with scheme " + scheme +
                                    " is not supported");
  }
  std::string host = Lower(Part(u.get(), CURLUPART_HOST));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) return base::Status::BadRequest("snapshot URL without a host");
  return host;
}

bool HostAllowed(const std::string& host, const std::vector<std::string>& allowed_hosts) {
  if (allowed_hosts.empty()) return true;
  const std::string h = Lower(host);
  for (const auto& a : allowed_hosts) {
    std::string entry = Lower(a);
    if (entry == h) return true;
    if (entry.rfind("*.", 0) == 0) {
      std::string suffix = entry.substr(1);  // ".example.com"
      if (h.size() > suffix.size() &&
          h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0) {
        return true;
      }
    }
  }
  return false;
}

std::string RedactUrl(const std::string& url) {
  std::unique_ptr<CURLU, CurlUrlDeleter> u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return url.substr(0, url.find_first_of("?#"));
  }
  curl_url_set(u.get(), CURLUPART_QUERY, nullptr, 0);
  curl_url_set(u.get(), CURLUPART_FRAGMENT, nullptr, 0);
  curl_url_set(u.get(), CURLUPART_USER, nullptr, 0);
  curl_url_set(u.get(), CURLUPART_PASSWORD, nullptr, 0);
  std::string out = Part(u.get(), CURLUPART_URL);
  return out.empty() ? url.substr(0, url.find_first_of("?#")) : out;
}

base::Status DownloadToFile(const std::string& url, const std::string& out_path,
                            const DownloadOptions& opt) {
  static const bool initialized = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialized) return base::Status::Internal("libcurl could not be initialized");
  std::string current = url;
  std::string first_host;
  for (int hop = 0;; ++hop) {
    auto host = UrlHost(current);
    if (!host.ok()) return host.status();
    if (!HostAllowed(host.value(), opt.allowed_hosts)) {
      return base::Status::Forbidden(
          "Snapshot URL host `" + host.value() + "` is not in service.snapshot_url_allowed_hosts" +
          (hop > 0 ? " (redirected from " + RedactUrl(url) + ")" : std::string()));
    }
    if (hop == 0) first_host = host.value();
    std::unique_ptr<FILE, FileCloser> file(std::fopen(out_path.c_str(), "wb"));
    if (!file) return base::Status::Internal("cannot create " + out_path);
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) return base::Status::Internal("libcurl: cannot create a handle");
    CURL* c = curl.get();
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_URL, current.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // each hop is checked here
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(opt.connect_timeout_sec));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(opt.stall_timeout_sec));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteToFile);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, file.get());
    curl_easy_setopt(c, CURLOPT_USERAGENT, "quiver-snapshot-recovery");
    struct curl_slist* headers = nullptr;
    std::string key_header = "api-key: " + opt.api_key;
    if (!opt.api_key.empty() && host.value() == first_host) {
      headers = curl_slist_append(headers, key_header.c_str());
      curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      return base::Status::BadRequest("cannot download the snapshot from " + RedactUrl(current) +
                                      ": " + (errbuf[0] ? errbuf : curl_easy_strerror(rc)));
    }
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 300 && code < 400) {
      char* next = nullptr;
      curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &next);
      if (next == nullptr) {
        return base::Status::BadRequest("snapshot URL " + RedactUrl(current) + " answered HTTP " +
                                        std::to_string(code) + " without a Location");
      }
      if (hop >= opt.max_redirects) {
        return base::Status::BadRequest("too many redirects downloading the snapshot from " +
                                        RedactUrl(url));
      }
      current = next;
      continue;
    }
    if (code < 200 || code >= 300) {
      return base::Status::BadRequest("cannot download the snapshot from " + RedactUrl(current) +
                                      ": HTTP status " + std::to_string(code));
    }
    if (std::fflush(file.get()) != 0) return base::Status::Internal("cannot write " + out_path);
    return base::Status::Ok();
  }
}

}  // namespace quiver::ops
