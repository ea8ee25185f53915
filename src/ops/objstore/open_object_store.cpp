#include "ops/objstore/open_object_store.h"

#include "ops/objstore/local_object_store.h"

namespace quiver::ops {

bool IsS3Url(const std::string& url) { return url.rfind("s3://", 0) == 0; }

base::Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& url,
                                                           const S3Options& s3_options) {
  if (url.empty()) return base::Status::BadInput("empty backup location");
  if (IsS3Url(url)) return OpenS3ObjectStore(url, s3_options);
  std::string path;
  if (url.rfind("file://", 0) == 0) {
    path = url.substr(7);
    if (path.empty() || path[0] != '/') {
      return base::Status::BadInput("file:// location must be absolute (file:///DIR): " + url);
    }
  } else if (url.find("://") != std::string::npos) {
    return base::Status::BadInput("unsupported backup location " + url.substr(0, url.find("://")) +
                                  "://: use s3://BUCKET/PREFIX, file:///DIR or a directory path");
  } else {
    path = url;
  }
  auto store = LocalObjectStore::Open(path);
  if (!store.ok()) return store.status();
  return std::unique_ptr<ObjectStore>(std::move(store).value());
}

}  // namespace quiver::ops
