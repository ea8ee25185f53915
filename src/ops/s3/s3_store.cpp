#include "ops/s3/s3_store.h"

namespace quiver::ops {

base::Result<std::unique_ptr<ObjectStore>> OpenS3ObjectStore(const std::string& url,
                                                             const S3Options& options) {
  return base::Status::Internal("S3 object store: not implemented yet");
}

}  // namespace quiver::ops
