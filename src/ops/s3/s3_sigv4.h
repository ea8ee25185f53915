// AWS Signature Version 4 for S3 requests (header-based, signed payload hash).
//
// Why not libcurl's CURLOPT_AWS_SIGV4: Debian 12's libcurl 7.88 sorts the canonical headers as
// whole "name:value" lines, so `x-amz-server-side-encryption-aws-kms-key-id` lands before
// `x-amz-server-side-encryption` and every SSE-KMS request with a key id fails with
// SignatureDoesNotMatch (caught by tests/s3, which recompute signatures with botocore). It also
// signs headers it never sends ("Expect:") and does not sort the query. This signer is small, pure
// and checked against AWS's published example and botocore.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace quiver::ops::s3 {

struct SigningRequest {
  std::string method;                          // "GET"
  std::string canonical_uri;                   // the path exactly as sent (already URI-encoded)
  std::string canonical_query;                 // CanonicalQuery(...) (sent as is)
  std::map<std::string, std::string> headers;  // lower-case name → value; must include host,
                                               // x-amz-date, x-amz-content-sha256
  std::string region;
  std::string service = "s3";
  std::string access_key_id;
  std::string secret_access_key;
};

// The canonical request (for messages and tests).
std::string CanonicalRequest(const SigningRequest& request);
// "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/s3/aws4_request, SignedHeaders=..., Signature=...".
std::string AuthorizationHeader(const SigningRequest& request);
// "20261124T013000Z" for a Unix time.
std::string AmzDate(int64_t unix_seconds);

}  // namespace quiver::ops::s3
