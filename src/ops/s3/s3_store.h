// S3 implementation of ObjectStore (s3://BUCKET/PREFIX): SigV4 via libcurl, multipart uploads with
// parallel parts, retries and abort-on-failure, streamed downloads, paginated listings. Credentials
// and region come from the standard AWS chain (s3_credentials.h); see docs/operations/backup.md
// ("S3").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "ops/objstore/object_store.h"

namespace quiver::ops {

struct S3Options {
  std::string sse;             // "", "AES256", "aws:kms"
  std::string sse_kms_key_id;  // with sse == "aws:kms"; empty: the bucket's default key
  std::string storage_class;   // e.g. "STANDARD_IA"; empty: the bucket default
  std::string endpoint;        // overrides AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL
  std::string region;          // overrides AWS_REGION / AWS_DEFAULT_REGION / the profile
  bool path_style = false;     // forced true with a custom endpoint unless told
  uint64_t part_size = 16 << 20;
  int parallel_parts = 4;
  int max_retries = 5;
  std::string ca_file;        // extra CA bundle for a private endpoint
  bool virtual_host = false;  // with a custom endpoint: BUCKET.HOST instead of HOST/BUCKET
  int list_page_size = 1000;  // ListObjectsV2 max-keys (tests use small pages)
};

// Opens s3://BUCKET[/PREFIX]. Resolves credentials and region now (BadInput with a clear message
// when none are found); does not contact the bucket.
base::Result<std::unique_ptr<ObjectStore>> OpenS3ObjectStore(const std::string& url,
                                                             const S3Options& options);

// The same with an explicit environment (tests): see s3_credentials.h for the variables read.
base::Result<std::unique_ptr<ObjectStore>> OpenS3ObjectStoreWithEnv(
    const std::string& url, const S3Options& options,
    const std::function<std::optional<std::string>(const std::string&)>& env);

// Aborts the in-progress multipart uploads under the store's prefix that were initiated before
// `initiated_before_unix` (leftovers of a process killed mid-upload; pass a time before the current
// run so a concurrent upload is spared). Returns how many were aborted; 0 for a store that is not
// S3.
base::Result<int> AbortIncompleteS3Uploads(ObjectStore& store, int64_t initiated_before_unix);

}  // namespace quiver::ops
