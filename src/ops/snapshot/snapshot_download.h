// Downloading a snapshot from an http(s) URL (PUT /collections/{name}/snapshots/recover with a URL
// location, presigned S3 URLs included) with libcurl, restricted to an allow-list of hosts.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace quiver::ops {

struct DownloadOptions {
  // Hosts the server may contact (service.snapshot_url_allowed_hosts): exact names or IP
  // addresses, case-insensitive; "*.example.com" also matches any subdomain. Empty = any host.
  std::vector<std::string> allowed_hosts;
  std::string api_key;  // sent as the `api-key` header, only to the host of the first URL
  int max_redirects = 5;
  int connect_timeout_sec = 30;
  int stall_timeout_sec = 120;  // abort when under 1 byte/s for this long
};

// The lowercase host of an http:// or https:// URL; BadRequest for other schemes or a bad URL.
base::Result<std::string> UrlHost(const std::string& url);

// Whether `host` is allowed by `allowed_hosts` (see DownloadOptions).
bool HostAllowed(const std::string& host, const std::vector<std::string>& allowed_hosts);

// The URL without its query string and credentials (for messages: presigned URLs carry secrets).
std::string RedactUrl(const std::string& url);

// Downloads `url` into `out_path` (created or truncated). Redirects are followed one by one and
// each target's host is checked against the allow-list before it is contacted. Forbidden when a
// host is not allowed; BadRequest on an HTTP error status, a network error or a bad URL.
base::Status DownloadToFile(const std::string& url, const std::string& out_path,
                            const DownloadOptions& opt);

}  // namespace quiver::ops
