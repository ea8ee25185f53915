// LocalObjectStore: an ObjectStore in a local directory. Writes are atomic (temp file in the same
// directory, fsync, rename, fsync of the directory), so a reader or a listing never sees half an
// object. Keys are validated: relative, '/'-separated, no empty, "." or ".." segments, no control
// characters; nothing can escape the root. Temp files (".tmp-*") and symlinks are never listed.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "base/status.h"
#include "ops/objstore/object_store.h"

namespace quiver::ops {

// Ok when `key` is a safe relative object key (see above); BadInput naming the problem otherwise.
base::Status ValidateObjectKey(const std::string& key);

class LocalObjectStore : public ObjectStore {
 public:
  // Creates `root` (and parents) when missing.
  static base::Result<std::unique_ptr<LocalObjectStore>> Open(const std::filesystem::path& root);

  std::string Describe() const override;
  base::Status PutFile(const std::string& key, const std::filesystem::path& file) override;
  base::Status PutBytes(const std::string& key, std::string_view bytes) override;
  base::Status GetToFile(const std::string& key, const std::filesystem::path& file) override;
  base::Result<std::string> GetBytes(const std::string& key) override;
  base::Result<std::vector<ObjectInfo>> List(const std::string& prefix) override;
  base::Status Delete(const std::string& key) override;

 private:
  explicit LocalObjectStore(std::filesystem::path root) : root_(std::move(root)) {}
  base::Result<std::filesystem::path> PathOf(const std::string& key) const;
  // Writes through `fill` (called with an open fd) into a temp file next to `target`, then renames.
  template <typename Fill>
  base::Status WriteAtomic(const std::filesystem::path& target, Fill fill);
  std::filesystem::path root_;
};

}  // namespace quiver::ops
