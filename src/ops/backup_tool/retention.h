// Which complete backups to delete after a successful run (--keep-last, --keep-daily,
// --keep-weekly, --max-age). A backup is deleted when it is older than max_age, or when keep
// rules are given and none of them keeps it. The newest backup is never deleted.
//   keep_last N:   the N newest backups
//   keep_daily N:  the newest backup of each of the N newest UTC days that have one
//   keep_weekly N: the newest backup of each of the N newest ISO weeks (Monday-based, UTC)
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "base/status.h"

namespace quiver::ops::backup {

struct RetentionPolicy {
  int keep_last = 0, keep_daily = 0, keep_weekly = 0;
  int64_t max_age_sec = 0;  // 0: no age limit
  bool Any() const { return keep_last > 0 || keep_daily > 0 || keep_weekly > 0 || max_age_sec > 0; }
};

struct BackupRef {
  std::string id;
  std::time_t time = 0;
};

// Ids to delete, in `backups`' order. `backups` may come in any order.
std::vector<std::string> SelectForDeletion(const std::vector<BackupRef>& backups,
                                           const RetentionPolicy& policy, std::time_t now);

// "90s", "30m", "12h", "30d", "8w" (or a bare number of seconds) -> seconds.
base::Result<int64_t> ParseDuration(const std::string& text);

}  // namespace quiver::ops::backup
