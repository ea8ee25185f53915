// `quiver backup` and `quiver restore`: clients of the Qdrant REST API that move collection
// snapshots between servers and an ObjectStore (file:// or s3://). Layout and manifest:
// docs/formats/backup.md; operations: docs/operations/backup.md.
#pragma once

#include <atomic>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "ops/backup_tool/crypto.h"
#include "ops/backup_tool/manifest.h"
#include "ops/backup_tool/retention.h"
#include "ops/ingest/http_client.h"
#include "ops/objstore/object_store.h"

namespace quiver::ops::backup {

struct ServerOptions {
  std::string api_key;  // never printed
  std::string ca_cert;
  bool insecure = false;
  ingest::HttpEndpoint EndpointFor(const std::string& url) const;
};

struct BackupRunOptions {
  std::vector<std::string> urls;
  std::vector<std::string> collections;  // empty: all
  ServerOptions server;
  std::optional<EncryptionKey> key;
  RetentionPolicy retention;
  std::string temp_dir;  // where snapshots are staged ("" = system temp)
  std::string quiver_version;
  int sample_points = 16;
};

struct BackupRunResult {
  std::string id;
  uint64_t bytes = 0;
  size_t collections = 0;
  double duration_sec = 0;
  std::vector<std::string> deleted;  // by retention
};

// One backup: for each server and collection, snapshot → streamed download (sha256 checked against
// the server's checksum) → optional encryption → upload → delete the server-side snapshot; then
// MANIFEST.json last; then retention. `log` receives progress lines (no secrets).
base::Result<BackupRunResult> RunBackupOnce(ObjectStore& store, const BackupRunOptions& options,
                                            void (*log)(const std::string&));

struct ListedBackup {
  std::string id;
  bool complete = false;
  uint64_t objects = 0, bytes = 0;
  std::optional<Manifest> manifest;  // complete backups whose manifest parsed
  std::string problem;               // why the manifest could not be read
};

// Every backup prefix in the store, oldest first (incomplete ones too, marked).
base::Result<std::vector<ListedBackup>> ListBackups(ObjectStore& store);

struct Selector {
  std::string id;       // exact id
  bool latest = false;  // the newest complete backup (the default when nothing is given)
  std::string before;   // newest complete backup at or before this time (ISO 8601 UTC or an id)
};
// The chosen complete backup's manifest, re-read and validated. NotFound with a clear message.
base::Result<Manifest> SelectBackup(ObjectStore& store, const Selector& selector);

struct RestoreOptions {
  std::vector<std::string> urls;  // one per node of the backup, or one for all
  std::vector<std::string> collections;
  std::vector<std::pair<std::string, std::string>> renames;
  ServerOptions server;
  std::optional<EncryptionKey> key;
  bool force = false;
  bool dry_run = false;
  double green_timeout_sec = 600;
  std::string temp_dir;
};

// Exit codes shared by the commands (docs/operations/backup.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,     // network, server, storage
  kExitRefused = 2,    // bad arguments, nothing to restore, existing collection without --force
  kExitIntegrity = 3,  // checksum, key or count mismatch
};
int ExitCodeOf(const base::Status& status);

base::Status Restore(ObjectStore& store, const Manifest& manifest, const RestoreOptions& options,
                     void (*log)(const std::string&));

// sha256 of every object (and, with a key, decrypts and checks the snapshot digests); with
// `restore_into`, restores every collection into that scratch server (replacing what is there)
// and compares point counts and the sampled points.
base::Status Verify(ObjectStore& store, const Manifest& manifest,
                    const std::optional<EncryptionKey>& key, const std::string& restore_into,
                    const ServerOptions& server, const std::string& temp_dir,
                    void (*log)(const std::string&));

// A temp file path under `dir` (or the system temp dir) that is removed when this goes away.
class TempFile {
 public:
  TempFile(const std::string& dir, const std::string& hint);
  ~TempFile();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace quiver::ops::backup
