// The manifest.json of a Quiver snapshot (docs/formats/snapshot.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace quiver::ops {

inline constexpr int kSnapshotFormatVersion = 1;

struct ManifestFile {
  std::string path;
  uint64_t size = 0;
  std::string sha256;
};

struct SnapshotManifest {
  int format_version = kSnapshotFormatVersion;
  std::string kind = "collection";  // "collection" or "full"
  std::string quiver_version;
  std::string created;      // "2024-05-01T12:00:00" (UTC)
  std::string collection;   // the name it was taken from ("" for a full snapshot)
  std::string config_json;  // the collection config as Qdrant renders it (for people and tools)
  std::vector<ManifestFile> files;
};

std::string RenderManifest(const SnapshotManifest& m);
// BadRequest when it is not a manifest, its format version is not kSnapshotFormatVersion, or
// a file entry is malformed.
base::Result<SnapshotManifest> ParseManifest(const std::string& json);

// Checks that the extracted files are exactly the manifest's (besides manifest.json itself), with
// the same sizes and sha256. BadRequest naming the first difference.
base::Status VerifyAgainstManifest(const SnapshotManifest& m,
                                   const std::vector<ManifestFile>& extracted);

}  // namespace quiver::ops
