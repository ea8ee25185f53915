// Snapshot operations on a catalog: create a collection or full-storage snapshot file, recover a
// collection from one (docs/formats/snapshot.md). What the REST handlers and start-up flags call.
#pragma once

#include <string>

#include "base/status.h"
#include "engine/collection/catalog.h"
#include "ops/snapshot/snapshot_store.h"
#include "ops/snapshot/tar_reader.h"

namespace quiver::ops {

struct SnapshotOptions {
  std::string snapshots_path;
  std::string quiver_version;  // written to manifests; "" = this build's version
  uint64_t peer_id = 1;  // in file names, as Qdrant's "{collection}-{peer_id}-{time}.snapshot"
  TarLimits limits;
};

// The directory holding the snapshots of collection `collection`.
std::string CollectionSnapshotDir(const SnapshotOptions& opt, const std::string& collection);

// Takes a snapshot of collection (or alias) `name` and publishes it with its .checksum sidecar in
// CollectionSnapshotDir. NotFound when the collection does not exist.
base::Result<SnapshotDescription> CreateCollectionSnapshot(engine::Catalog& catalog,
                                                           const std::string& name,
                                                           const SnapshotOptions& opt);

// Writes the snapshot tar of collection `name` to `out_path` (no sidecar).
base::Status WriteCollectionSnapshot(engine::Catalog& catalog, const std::string& name,
                                     const std::string& out_path, const SnapshotOptions& opt);

// Recovers collection `name` from the snapshot tar at `tar_path`, replacing the collection of
// that name if there is one. `checksum` ("" = none) must equal the file's sha256. BadRequest on a
// checksum mismatch or anything wrong with the file (tar_reader.h, the manifest, the collection
// files); existing data is then untouched.
base::Status RecoverCollectionSnapshot(engine::Catalog& catalog, const std::string& name,
                                       const std::string& tar_path, const std::string& checksum,
                                       const SnapshotOptions& opt);

// Snapshots every collection into one tar (full-snapshot-<time>.snapshot in snapshots_path) with
// Qdrant's config.json {collections_mapping, collections_aliases} and a manifest.
base::Result<SnapshotDescription> CreateFullSnapshot(engine::Catalog& catalog,
                                                     const SnapshotOptions& opt);

// Snapshot activity per collection since start (Qdrant's snapshot_creation_running,
// snapshot_recovery_running and snapshot_created_total).
struct SnapshotActivity {
  uint64_t creating = 0;
  uint64_t recovering = 0;
  uint64_t created = 0;
};
SnapshotActivity SnapshotActivityOf(const std::string& collection);

}  // namespace quiver::ops
