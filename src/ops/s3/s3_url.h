// S3 addressing: s3://BUCKET/PREFIX URLs, endpoints (AWS, custom, path-style or virtual-host), and
// the URI encoding / query canonicalisation SigV4 needs (libcurl 7.88 signs the query as sent: keys
// must be sorted, URI-encoded, and always `k=v`, e.g. `?uploads=`).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace quiver::ops::s3 {

struct S3Location {
  std::string bucket;
  std::string prefix;  // "" or ends with '/'
};
// s3://BUCKET[/PREFIX[/]]. The bucket must follow S3's naming rules; the prefix must not contain
// empty, "." or ".." segments.
base::Result<S3Location> ParseS3Url(std::string_view url);

// RFC 3986 unreserved characters stay, every other byte becomes %XX (upper case). '/' stays when
// keep_slash (object paths).
std::string UriEncode(std::string_view text, bool keep_slash);

using QueryParams = std::vector<std::pair<std::string, std::string>>;
// "a=1&b=&c=x%2Fy": encoded, sorted by key then value, every key with '='. Empty for no params.
std::string CanonicalQuery(const QueryParams& params);

struct Endpoint {
  std::string base;  // "https://s3.eu-west-1.amazonaws.com" or "http://127.0.0.1:4568" (no '/')
  bool path_style = false;
};
// custom: "" for AWS's regional endpoint. A custom endpoint must be http:// or https://, and is
// path-style unless virtual_host is requested; AWS is virtual-host unless path_style, or the bucket
// name has dots (TLS certificates do not cover them).
base::Result<Endpoint> ResolveEndpoint(std::string_view custom, std::string_view region,
                                       std::string_view bucket, bool path_style, bool virtual_host);

// The request URL for `key` (full key, unencoded; "" for the bucket itself) with the query.
std::string RequestUrl(const Endpoint& endpoint, std::string_view bucket, std::string_view key,
                       const QueryParams& params);

// A relative key from a listing is usable only if it is non-empty, not absolute, has no "", "." or
// ".." segments and no control characters.
bool IsSafeRelativeKey(std::string_view key);

}  // namespace quiver::ops::s3
