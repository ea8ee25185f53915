// Metrics of `quiver backup run` for alerting, in the names the dashboards and alert rules in
// deploy/monitoring use (label schedule="<name>"), written as a Prometheus text file (for the node
// exporter's textfile collector or a sidecar), atomically (temp file + rename).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace quiver::ops::backup {

struct BackupMetrics {
  std::string schedule = "cli";
  double last_success_unix = 0;  // 0: never
  double last_failure_unix = 0;
  double duration_sec = 0;  // of the last run
  uint64_t bytes = 0;       // of the last successful run
  uint64_t success_total = 0, failure_total = 0;
  double interval_sec = 0;  // of the schedule, 0 when one-shot
};

std::string RenderMetrics(const BackupMetrics& m);
base::Status WriteMetricsFile(const std::string& path, const BackupMetrics& m);
// Reads the counters and timestamps of an earlier file (so one-shot runs, e.g. a Kubernetes
// CronJob with a persistent file, keep counting); missing file: `m` unchanged.
void LoadMetricsFile(const std::string& path, BackupMetrics& m);

}  // namespace quiver::ops::backup
