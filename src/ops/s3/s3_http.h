// One HTTP exchange through libcurl, optionally signed with SigV4 (s3_sigv4.h). Used by the
// S3 store and by the STS call of the credential chain. No retries here (s3_store.cpp retries).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace quiver::ops::s3 {

struct HttpRequest {
  std::string method = "GET";  // GET, PUT, POST, DELETE, HEAD
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string_view body;             // sent for PUT and POST
  // SigV4 (s3_sigv4.h) when access_key_id is set: every header above, Host and x-amz-date are
  // signed; the caller supplies x-amz-content-sha256 (and x-amz-security-token).
  std::string region;
  std::string access_key_id, secret_access_key;
  std::FILE* sink = nullptr;  // a 2xx body is written here when set (else kept in `body`)
  std::string ca_file;
};

struct HttpResponse {
  long status = 0;
  std::string body;  // the body of a non-2xx reply always lands here (capped at 1 MiB)
  std::string etag;
};

// Transport failures (connection refused, reset, timeout, short body, sink write error) come back
// as kInternal with curl's message; HTTP errors come back as a response with their status.
base::Result<HttpResponse> Perform(const HttpRequest& request);

// Hex sha256 of `bytes` (the x-amz-content-sha256 header).
std::string Sha256Hex(std::string_view bytes);

}  // namespace quiver::ops::s3
