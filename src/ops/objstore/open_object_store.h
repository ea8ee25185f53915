// OpenObjectStore: a backup target URL to an ObjectStore.
//   file:///DIR or a plain path  -> LocalObjectStore (the directory is created when missing)
//   s3://BUCKET[/PREFIX]         -> the S3 store (src/ops/s3), configured by S3Options
// Anything else is BadInput. Messages never contain credentials.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "ops/objstore/object_store.h"
#include "ops/s3/s3_store.h"

namespace quiver::ops {

base::Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& url,
                                                           const S3Options& s3_options);

// True for s3:// URLs (S3 options such as --sse only apply to those).
bool IsS3Url(const std::string& url);

}  // namespace quiver::ops
