// Catalog side of snapshots: staging directories and atomic installation of a recovered collection.
#include <spdlog/spdlog.h>

#include <random>

#include "engine/collection/catalog.h"

namespace quiver::engine {
namespace {

bool SameVectors(const std::map<std::string, VectorParams>& a,
                 const std::map<std::string, VectorParams>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, p] : a) {
    auto it = b.find(name);
    if (it == b.end() || it->second.size != p.size || it->second.distance != p.distance ||
        it->second.multivector != p.multivector) {
      return false;
    }
  }
  return true;
}

}  // namespace

base::Result<std::string> Catalog::NewStagingDir(const std::string& purpose) {
  std::random_device rd;
  std::string dir = storage_path_ + "/collections/." + purpose + "-" + std::to_string(rd()) +
                    std::to_string(rd());
  (void)fs_->RemoveAll(dir);
  QUIVER_RETURN_IF_ERROR(fs_->CreateDirs(dir));
  return dir;
}

base::Status Catalog::InstallCollection(const std::string& name, const std::string& staged_dir) {
  QUIVER_RETURN_IF_ERROR(ValidateName(name));
  {
    std::shared_lock lock(mu_);
    if (aliases_.count(name)) {
      (void)fs_->RemoveAll(staged_dir);
      return base::Status::AlreadyExists("Alias with name `" + name + "` already exists!");
    }
  }
  // Open the files once where they are: a damaged snapshot stops here, before anything changes.
  QUIVER_RETURN_IF_ERROR(fs_->CreateDirs(staged_dir + "/wal"));
  std::map<std::string, VectorParams> vectors;
  {
    auto probe = Collection::Open(fs_, staged_dir, name);
    if (!probe.ok()) {
      (void)fs_->RemoveAll(staged_dir);
      return base::Status::BadRequest("snapshot does not open as a collection: " +
                                      probe.status().message());
    }
    vectors = probe.value()->config().vectors;
  }
  std::lock_guard create(create_mu_);
  std::shared_ptr<Collection> old;
  {
    std::shared_lock lock(mu_);
    auto it = collections_.find(name);
    if (it != collections_.end()) old = it->second;
  }
  // As Qdrant: an existing collection is replaced only by data with the same vectors.
  if (old && !SameVectors(old->config().vectors, vectors)) {
    (void)fs_->RemoveAll(staged_dir);
    return base::Status::BadRequest(
        "Snapshot is not compatible with existing collection: "
        "vector names, sizes or distances differ");
  }
  const std::string final_dir = CollectionDir(name);
  const std::string collections_dir = storage_path_ + "/collections";
  std::string trash;
  if (old) {
    old->Retire();  // its directory is about to be handed over: no more writes or checkpoints
    trash = collections_dir + "/.deleted-" + std::to_string(std::random_device{}()) + "-" +
            final_dir.substr(collections_dir.size() + 1);
    QUIVER_RETURN_IF_ERROR(fs_->Rename(final_dir, trash));
  }
  auto restore_old = [&] {
    if (old) (void)fs_->Rename(trash, final_dir);
  };
  base::Status st = fs_->Rename(staged_dir, final_dir);
  if (!st.ok()) {
    restore_old();
    (void)fs_->RemoveAll(staged_dir);
    return st;
  }
  (void)fs_->SyncDir(collections_dir);
  auto opened = Collection::Open(fs_, final_dir, name);
  if (!opened.ok()) {
    (void)fs_->RemoveAll(final_dir);
    restore_old();
    // The retired old collection cannot take writes any more: reload it from its files.
    if (old) {
      auto reopened = Collection::Open(fs_, final_dir, name);
      std::unique_lock lock(mu_);
      if (reopened.ok()) {
        collections_[name] = std::move(reopened.value());
      } else {
        collections_.erase(name);
      }
    }
    return base::Status::BadRequest("snapshot does not open as a collection: " +
                                    opened.status().message());
  }
  {
    std::unique_lock lock(mu_);
    collections_[name] = std::move(opened.value());
  }
  if (old) {
    old.reset();
    (void)fs_->RemoveAll(trash);
  }
  spdlog::info("collection {} installed from a snapshot", name);
  return base::Status::Ok();
}

}  // namespace quiver::engine
