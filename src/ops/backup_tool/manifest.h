// The manifest of one backup (<ID>/MANIFEST.json, written last: a backup without it is incomplete
// and never listed as complete). Format: docs/formats/backup.md. Parsing treats the file as
// untrusted input: every key, size, digest and name is checked before use.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "base/status.h"

namespace quiver::ops::backup {

inline constexpr const char* kManifestName = "MANIFEST.json";
inline constexpr int kManifestFormatVersion = 1;

struct NodeInfo {
  std::string url;  // as given with --url (credentials removed)
  std::string server_title;
  std::string server_version;
};

struct SamplePoint {
  std::string id_json;  // the point id as JSON (a number or a quoted UUID)
  std::string sha256;   // of the canonical JSON of {id, payload, vector}
};

struct CollectionEntry {
  std::string name;
  int node = 0;        // index into nodes
  std::string object;  // object key, "<ID>/node-<n>/collection-<i>.snapshot[.enc]"
  uint64_t size = 0;   // stored object bytes
  std::string sha256;  // of the stored object
  std::string snapshot_name;
  uint64_t snapshot_size = 0;   // plaintext snapshot bytes
  std::string snapshot_sha256;  // of the plaintext snapshot (the server's checksum)
  // Exact point counts just before and just after the snapshot: equal when the collection was
  // quiet; a restore must land within [min, max].
  uint64_t points_before = 0, points_after = 0;
  std::string config_json;          // the collection's config as the server reported it (raw JSON)
  std::vector<SamplePoint> sample;  // points unchanged across the snapshot
};

struct Manifest {
  int format_version = kManifestFormatVersion;
  std::string id;
  int64_t created_at = 0;  // unix seconds, start of the run
  double duration_sec = 0;
  std::string quiver_version;
  std::string encryption;  // "" or "AES-256-GCM"
  std::string key_id;      // with encryption
  std::vector<NodeInfo> nodes;
  std::vector<CollectionEntry> collections;
  uint64_t TotalBytes() const;
};

std::string ManifestToJson(const Manifest& m);
// Format/BadInput naming the field on anything missing, mistyped or unsafe.
base::Result<Manifest> ParseManifest(std::string_view json);

// Backup ids are UTC times, "2026-11-24T02-30-00Z" (sorting by id sorts by time).
std::string BackupIdFor(std::time_t t);
bool IsValidBackupId(const std::string& id);
// Unix time of a backup id; nullopt-like -1 when invalid.
std::time_t TimeOfBackupId(const std::string& id);

}  // namespace quiver::ops::backup
