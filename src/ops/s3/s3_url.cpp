#include "ops/s3/s3_url.h"

#include <algorithm>

namespace quiver::ops::s3 {
namespace {

bool ValidBucket(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (char c : b) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return alnum(b.front()) && alnum(b.back()) && b.find("..") == std::string_view::npos;
}

bool SafeSegments(std::string_view path, bool allow_trailing_slash) {
  if (path.empty() || path.front() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg.empty()) {
      if (!(allow_trailing_slash && end == path.size() && start == path.size())) return false;
    }
    if (seg == "." || seg == "..") return false;
    start = end + 1;
  }
  for (unsigned char c : path) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

base::Result<S3Location> ParseS3Url(std::string_view url) {
  constexpr std::string_view kScheme = "s3://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return base::Status::BadInput("not an S3 URL (expected s3://BUCKET/PREFIX): '" +
                                  std::string(url) + "'");
  }
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  S3Location loc;
  loc.bucket = std::string(rest.substr(0, slash));
  if (!ValidBucket(loc.bucket)) {
    return base::Status::BadInput("invalid S3 bucket name '" + loc.bucket +
                                  "' (3-63 of a-z, 0-9, '.', '-') in '" + std::string(url) + "'");
  }
  if (slash != std::string_view::npos && slash + 1 < rest.size()) {
    std::string_view prefix = rest.substr(slash + 1);
    if (!SafeSegments(prefix, /*allow_trailing_slash=*/true) || prefix.find('?') != prefix.npos) {
      return base::Status::BadInput("invalid S3 prefix '" + std::string(prefix) + "' in '" +
                                    std::string(url) + "'");
    }
    loc.prefix = std::string(prefix);
    if (loc.prefix.back() != '/') loc.prefix += '/';
  }
  return loc;
}

std::string UriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string CanonicalQuery(const QueryParams& params) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.size());
  for (const auto& [k, v] : params) encoded.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

base::Result<Endpoint> ResolveEndpoint(std::string_view custom, std::string_view region,
                                       std::string_view bucket, bool path_style,
                                       bool virtual_host) {
  Endpoint ep;
  if (custom.empty()) {
    ep.base = "https://s3." + std::string(region) + ".amazonaws.com";
    ep.path_style = path_style || bucket.find('.') != std::string_view::npos;
    return ep;
  }
  std::string base(custom);
  while (!base.empty() && base.back() == '/') base.pop_back();
  const bool http = base.rfind("http://", 0) == 0, https = base.rfind("https://", 0) == 0;
  const size_t host_start = http ? 7 : 8;
  if ((!http && !https) || base.size() <= host_start ||
      base.find_first_of("/?#@ ", host_start) != std::string::npos) {
    return base::Status::BadInput("invalid S3 endpoint '" + std::string(custom) +
                                  "' (expected http(s)://HOST[:PORT])");
  }
  ep.base = base;
  ep.path_style = !virtual_host;
  return ep;
}

std::string RequestUrl(const Endpoint& endpoint, std::string_view bucket, std::string_view key,
                       const QueryParams& params) {
  std::string url;
  if (endpoint.path_style) {
    url = endpoint.base + "/" + std::string(bucket) + "/" + UriEncode(key, true);
  } else {
    const size_t host_start = endpoint.base.find("://") + 3;
    url = endpoint.base.substr(0, host_start) + std::string(bucket) + "." +
          endpoint.base.substr(host_start) + "/" + UriEncode(key, true);
  }
  const std::string query = CanonicalQuery(params);
  if (!query.empty()) url += "?" + query;
  return url;
}

bool IsSafeRelativeKey(std::string_view key) { return SafeSegments(key, false); }

}  // namespace quiver::ops::s3
