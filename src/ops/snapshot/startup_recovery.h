// Start-up recovery for `quiver serve --snapshot PATH:COLLECTION` and `--storage-snapshot PATH`
// (Qdrant's flags): everything is checked before anything is changed.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "engine/collection/catalog.h"
#include "ops/snapshot/snapshot_service.h"

namespace quiver::ops {

// "PATH:COLLECTION" (split at the last ':') → {path, collection}; BadInput when malformed.
base::Result<std::pair<std::string, std::string>> ParseSnapshotFlag(const std::string& flag);

// Recovers each {path, collection}. Without `force`, a collection that exists already is an
// error (nothing is recovered); with it, it is replaced.
base::Status RecoverSnapshotsAtStartup(engine::Catalog& catalog,
                                       const std::vector<std::pair<std::string, std::string>>& list,
                                       bool force, const SnapshotOptions& opt);

// Recovers every collection and alias of a full-storage snapshot (POST /snapshots). Without
// `force`, any of its collections that exists already is an error and nothing is recovered.
base::Status RecoverStorageSnapshot(engine::Catalog& catalog, const std::string& tar_path,
                                    bool force, const SnapshotOptions& opt);

}  // namespace quiver::ops
