// The server's own scheduled backups (`backup:` in the config): on a cron schedule, snapshot every
// collection into <target>/<backup id>/, verify each file's sha256, write MANIFEST.json last (a
// backup without it is incomplete and never counted), then keep only the newest `keep_last`
// complete backups. The target is a local directory (a plain path or file:///DIR: written in place)
// or s3://BUCKET/PREFIX (each snapshot staged locally, uploaded through the ObjectStore, then the
// manifest uploaded last). The manifest is readable by `quiver backup list/verify` and `quiver
// restore` (docs/formats/backup.md).
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "engine/collection/catalog.h"
#include "ops/backup/cron_schedule.h"
#include "ops/s3/s3_store.h"
#include "ops/snapshot/snapshot_service.h"

namespace quiver::ops {

struct BackupOptions {
  // A directory path, file:///DIR, or s3://BUCKET[/PREFIX].
  std::string target_dir;
  S3Options s3;  // with an s3:// target
  // With an s3:// target: where snapshots are written before upload (created; emptied after each
  // file). Empty: <snapshots_path>/.backup:staging (':' cannot occur in a collection name, so no
  // collection's snapshot directory is this one).
  std::string staging_dir;
  uint64_t keep_last = 24;
  std::string quiver_version;
};

struct BackupResult {
  std::string id;  // directory name under the target, e.g. 2026-11-24T01-30-00Z
  uint64_t bytes = 0;
  size_t collections = 0;
};

// One backup run now (what the schedule calls). Incomplete leftovers of interrupted runs are
// removed, retention is applied only after a successful run.
base::Result<BackupResult> RunBackup(engine::Catalog& catalog, const SnapshotOptions& snapshots,
                                     const BackupOptions& options);

// Backup ids under `target_dir` that have a MANIFEST.json, oldest first.
std::vector<std::string> ListCompleteBackups(const std::string& target_dir);

// Opens the target once (credentials, region, URL form) so that start-up fails clearly.
base::Status CheckBackupTarget(const BackupOptions& options);

class ScheduledBackup {
 public:
  ScheduledBackup(engine::Catalog* catalog, SnapshotOptions snapshots, BackupOptions options,
                  CronSchedule schedule);
  ~ScheduledBackup();
  void Start();
  void Stop();

 private:
  void Loop();
  engine::Catalog* catalog_;
  SnapshotOptions snapshots_;
  BackupOptions options_;
  CronSchedule schedule_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

}  // namespace quiver::ops
