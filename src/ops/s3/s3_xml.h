// Every XML document Quiver reads from S3 or STS is parsed here, by pure functions: bytes in,
// Result out. The input is untrusted (a hostile or broken endpoint): size-capped, no entity
// expansion beyond XML's predefined ones (tinyxml2 has no DTD support), nesting depth bounded by
// tinyxml2. Fuzzed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "ops/objstore/object_store.h"

namespace quiver::ops::s3xml {

// Larger documents are refused before parsing (a listing page of 1,000 keys is ~300 KB).
inline constexpr size_t kMaxXmlBytes = 16 << 20;

// <Error><Code>..</Code><Message>..</Message></Error> (S3) or <ErrorResponse><Error>.. (STS).
struct S3Error {
  std::string code;
  std::string message;
  std::string request_id;
};
base::Result<S3Error> ParseError(std::string_view body);

// The Status for a failed request: `what` says what was attempted ("GET s3://b/k"), the S3 code and
// message come from the body when it parses, else the HTTP status is used. NoSuchBucket/NoSuchKey/
// NoSuchUpload → NotFound; AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch, ExpiredToken,
// ... → Forbidden; anything else → Internal.
base::Status ErrorStatus(std::string_view what, long http_status, std::string_view body);

// One page of ListObjectsV2. Keys are the full keys, as S3 returns them.
struct ListPage {
  std::vector<ObjectInfo> objects;
  bool truncated = false;
  std::string next_continuation_token;
};
base::Result<ListPage> ParseListObjectsV2(std::string_view body);

// <InitiateMultipartUploadResult><UploadId>..: the upload id.
base::Result<std::string> ParseInitiateMultipartUpload(std::string_view body);

// One page of ListMultipartUploads (in-progress uploads).
struct UploadInfo {
  std::string key;  // full key
  std::string upload_id;
  int64_t initiated_unix = 0;
};
struct UploadsPage {
  std::vector<UploadInfo> uploads;
  bool truncated = false;
  std::string next_key_marker, next_upload_id_marker;
};
base::Result<UploadsPage> ParseListMultipartUploads(std::string_view body);

// CompleteMultipartUpload can fail with HTTP 200 and an <Error> body: Ok only for a
// <CompleteMultipartUploadResult>.
base::Status ParseCompleteMultipartUpload(std::string_view body);

// The request body of CompleteMultipartUpload for parts 1..N with these ETags (escaped).
std::string BuildCompleteMultipartUpload(const std::vector<std::string>& etags);

// STS AssumeRoleWithWebIdentity:
// <AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>
// <Credentials><AccessKeyId/><SecretAccessKey/><SessionToken/><Expiration/>.
struct StsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  int64_t expiration_unix = 0;
};
base::Result<StsCredentials> ParseAssumeRoleWithWebIdentity(std::string_view body);

// "2026-11-24T01:30:00Z" or with fractional seconds ("...00.123Z") → seconds since the epoch (UTC).
base::Result<int64_t> ParseIso8601Utc(std::string_view text);

}  // namespace quiver::ops::s3xml
