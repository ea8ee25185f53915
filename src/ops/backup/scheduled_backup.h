// The server's own scheduled backups (`backup:` in the config): on a cron schedule, snapshot every
// collection into <target>/<backup id>/, verify each file's sha256, write MANIFEST.json last (a
// backup without it is incomplete and never counted), then keep only the newest `keep_last`
// complete backups. A local directory target; S3 comes with the `quiver backup` tool (issue 5).
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
#include "ops/snapshot/snapshot_service.h"

namespace quiver::ops {

struct BackupOptions {
  std::string target_dir;
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
