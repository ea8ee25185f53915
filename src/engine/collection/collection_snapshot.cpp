// Collection snapshots: one point in time, captured as hard links to immutable checkpoint files.
#include <unistd.h>

#include <cerrno>

#include "engine/collection/collection.h"

namespace quiver::engine {

base::Result<std::vector<std::string>> Collection::WriteSnapshot(const std::string& dest_dir) {
  // Held throughout: no later checkpoint can delete or replace the captured files meanwhile.
  std::lock_guard cp(checkpoint_mu_);
  std::vector<std::string> files{"collection.meta"};
  std::vector<std::string> to_copy;
  QUIVER_RETURN_IF_ERROR(fs_->CreateDirs(dest_dir + "/segments"));
  {
    // Shared: readers go on, writers wait, so the checkpoint holds every write or none of it.
    std::shared_lock lock(mu_);
    if (retired_) return base::Status::NotFound("Collection `" + name_ + "` was replaced");
    QUIVER_RETURN_IF_ERROR(CheckpointLocked());
    for (const auto& [id, f] : segment_files_) {
      files.push_back("segments/" + f.data);
      if (!f.deletes.empty()) files.push_back("segments/" + f.deletes);
      for (const auto& [vname, file] : f.indexes) files.push_back("segments/" + file);
      for (const auto& file : f.vectors) files.push_back("segments/" + file);
    }
    // Linking is cheap; collection.meta must be taken now (config changes rewrite it without a
    // checkpoint), the segment files could wait but need not.
    for (const auto& rel : files) {
      if (::link((dir_ + "/" + rel).c_str(), (dest_dir + "/" + rel).c_str()) != 0) {
        if (rel != "collection.meta") {
          to_copy.push_back(rel);
          continue;
        }
        auto bytes = fs_->ReadFile(dir_ + "/" + rel);
        if (!bytes.ok()) return bytes.status();
        QUIVER_RETURN_IF_ERROR(fs_->WriteFileAtomic(dest_dir + "/" + rel, bytes.value()));
      }
    }
  }
  // Segment files never change once written: copying them without the lock is safe.
  for (const auto& rel : to_copy) {
    auto bytes = fs_->ReadFile(dir_ + "/" + rel);
    if (!bytes.ok()) return bytes.status();
    QUIVER_RETURN_IF_ERROR(fs_->WriteFileAtomic(dest_dir + "/" + rel, bytes.value()));
  }
  return files;
}

void Collection::Retire() {
  std::lock_guard cp(checkpoint_mu_);
  std::unique_lock lock(mu_);
  (void)wal_->SyncNow();
  retired_ = true;
}

}  // namespace quiver::engine
