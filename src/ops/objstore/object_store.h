// ObjectStore: where backups live. One interface for a local directory (file:///DIR or a plain
// path) and S3 (s3://BUCKET/PREFIX, src/ops/s3). Keys are relative and '/'-separated, e.g.
// "2026-11-24T01-30-00Z/MANIFEST.json"; the store adds its own prefix. Everything is input: a key
// from a listing is validated before use as a path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace quiver::ops {

struct ObjectInfo {
  std::string key;  // relative to the store's prefix
  uint64_t size = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  // Human-readable location for messages and manifests (never contains credentials).
  virtual std::string Describe() const = 0;
  // Uploads a local file (S3: multipart with parallel parts above the part size; aborted on failure
  // so no orphaned upload remains). The object appears whole or not at all.
  virtual base::Status PutFile(const std::string& key, const std::filesystem::path& file) = 0;
  virtual base::Status PutBytes(const std::string& key, std::string_view bytes) = 0;
  // Downloads to `file` (written whole, then renamed into place).
  virtual base::Status GetToFile(const std::string& key, const std::filesystem::path& file) = 0;
  virtual base::Result<std::string> GetBytes(const std::string& key) = 0;
  // Every object whose key starts with `prefix` (relative), sorted by key. NotFound never: empty.
  virtual base::Result<std::vector<ObjectInfo>> List(const std::string& prefix) = 0;
  // Deleting a missing key is not an error.
  virtual base::Status Delete(const std::string& key) = 0;
};

}  // namespace quiver::ops
