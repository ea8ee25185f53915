// Catalog: the collections of one storage directory and their aliases. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/file_system.h"
#include "base/status.h"
#include "engine/collection/collection.h"

namespace quiver::engine {

struct AliasAction {
  enum class Kind { kCreate, kDelete, kRename };
  Kind kind = Kind::kCreate;
  std::string collection_name;  // create
  std::string alias_name;       // create, delete
  std::string old_alias_name;   // rename
  std::string new_alias_name;   // rename
};

class Catalog {
 public:
  // Opens `storage_path` (creating it), loading every collection. A collection that fails to
  // load is an error: the server must not start serving partial data.
  static base::Result<std::unique_ptr<Catalog>> Open(base::FileSystem* fs,
                                                     const std::string& storage_path);
  ~Catalog();

  // Qdrant's rules: 1-255 characters, none of < > : " / \ | ? * and no NUL; not "." or "..".
  static base::Status ValidateName(const std::string& name);

  // The collection named `name`, or the one the alias `name` points to. NotFound otherwise.
  base::Result<std::shared_ptr<Collection>> Get(const std::string& name) const;
  // AlreadyExists when the name is taken by a collection or an alias.
  base::Status CreateCollection(const std::string& name, const CollectionConfig& config);
  // false when there was no such collection. Aliases to it are removed too.
  base::Result<bool> DeleteCollection(const std::string& name);
  std::vector<std::string> ListCollections() const;

  // Snapshots (catalog_snapshot.cpp).
  // A new empty directory under the storage path (same file system as the collections, so files
  // can be hard-linked and renamed into place); left-overs are removed at the next Open.
  base::Result<std::string> NewStagingDir(const std::string& purpose);
  // Installs the collection files in `staged_dir` (as written by Collection::WriteSnapshot) as
  // collection `name`, replacing an existing one atomically: the files are opened and checked
  // first, renamed into place, swapped into the catalog, and only then is the old collection
  // removed. BadRequest (staged_dir removed, existing data untouched) when they do not open as a
  // collection; AlreadyExists when `name` is an alias.
  base::Status InstallCollection(const std::string& name, const std::string& staged_dir);
  // The storage directory (for staging files beside the collections).
  const std::string& storage_path() const { return storage_path_; }

  // Applies all actions or none.
  base::Status UpdateAliases(const std::vector<AliasAction>& actions);
  // (alias, collection) pairs, for one collection when given.
  std::vector<std::pair<std::string, std::string>> ListAliases(
      const std::optional<std::string>& collection) const;

  // Starts the background threads: the flusher that checkpoints collections (WAL size, idle time)
  // and the optimizer that indexes and vacuums segments with `optimizer_threads` threads.
  void StartFlusher(int optimizer_threads = 0);
  // Stops the flusher, syncs and checkpoints every collection.
  base::Status Close();

 private:
  Catalog(base::FileSystem* fs, std::string storage_path)
      : fs_(fs), storage_path_(std::move(storage_path)) {}
  std::string CollectionDir(const std::string& name) const;
  base::Status SaveAliases();
  base::Status LoadAliases();
  void FlusherLoop();
  void OptimizerLoop(int threads);
  std::vector<std::shared_ptr<Collection>> All() const;

  base::FileSystem* fs_;
  std::string storage_path_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<Collection>> collections_;
  std::map<std::string, std::string> aliases_;  // alias → collection
  std::mutex create_mu_;                        // serializes create / delete

  std::thread flusher_;
  std::thread optimizer_;
  std::mutex flusher_mu_;
  std::condition_variable flusher_cv_;
  std::atomic<bool> stop_{false};
};

}  // namespace quiver::engine
