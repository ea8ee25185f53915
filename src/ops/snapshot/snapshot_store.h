// The snapshot files of a snapshots directory: names, listing, `.checksum` sidecars, deletion
// (Qdrant's layout: snapshots_path/<collection>/<name>.snapshot, full ones in snapshots_path/).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace quiver::ops {

struct SnapshotDescription {
  std::string name;
  std::string creation_time;  // "2024-05-01T12:00:00" (UTC), "" when unknown
  uint64_t size = 0;
  std::string checksum;  // sha256 hex from the sidecar, "" when there is none
};

// A snapshot file name must be one plain file name: BadRequest for "", ".", "..", names starting
// with '.', or holding '/', '\\' or NUL.
base::Status ValidateSnapshotName(const std::string& name);

// "YYYY-MM-DD-HH-MM-SS" and "YYYY-MM-DDTHH:MM:SS" of the current UTC time.
std::string SnapshotTimestamp();
std::string IsoTimestamp();

// The snapshots (files ending in ".snapshot") of `dir`, newest first; [] when `dir` is missing.
std::vector<SnapshotDescription> ListSnapshots(const std::string& dir);
// One snapshot's description; NotFound when missing.
base::Result<SnapshotDescription> DescribeSnapshot(const std::string& dir, const std::string& name);

// Moves the finished tar `tmp_path` to `dir/name`: computes its sha256, writes the sidecar
// `dir/name.checksum` (hex, no newline), then renames the tar into place (as Qdrant, sidecar
// first). Returns the description.
base::Result<SnapshotDescription> PublishSnapshot(const std::string& tmp_path,
                                                  const std::string& dir, const std::string& name);

// Removes `dir/name` and its sidecar; NotFound when the snapshot does not exist.
base::Status DeleteSnapshot(const std::string& dir, const std::string& name);

}  // namespace quiver::ops
