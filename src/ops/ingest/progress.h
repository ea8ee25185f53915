// Progress display (a bar on a terminal, periodic log lines otherwise), the final summary line and
// the --report JSON.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "ops/ingest/batch_uploader.h"
#include "ops/ingest/load_tracker.h"

namespace quiver::ops::ingest {

// Prints "ingest: <message>" on stderr (clearing the progress bar first when one is shown).
void LogLine(const std::string& message);

// Input-side progress published by the reader thread.
struct InputProgress {
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> total_bytes{0};    // 0 = unknown
  std::atomic<uint64_t> total_records{0};  // 0 = unknown
};

class ProgressDisplay {
 public:
  enum class Mode { kBar, kLog, kNone };
  // `mode_text`: auto (bar on a terminal, else log lines), bar, log or none.
  ProgressDisplay(const std::string& mode_text, double log_interval_sec, const LiveStats* stats,
                  const InputProgress* input, const LoadTotals& resumed);
  // Call often (every ~100 ms); redraws at most every 200 ms / logs every interval.
  void Tick();
  // Removes the bar.
  void Finish();

 private:
  std::string Line(bool bar) const;
  Mode mode_;
  double log_interval_;
  const LiveStats* stats_;
  const InputProgress* input_;
  LoadTotals resumed_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  double start_fraction_ = -1;
};

struct Summary {
  std::string status;  // success, partial, failed, interrupted
  int exit_code = 0;
  std::string error;
  std::string url;
  std::string collection;
  std::string source;
  std::string format;
  LoadTotals totals;    // the whole load (including resumed parts)
  LoadTotals this_run;  // this process
  bool resumed = false;
  double seconds = 0;                      // this run, start to every record durable
  std::optional<double> seconds_to_green;  // after the load, when waited for
  uint64_t requests = 0, retries = 0, splits = 0, bytes_read = 0, bytes_sent = 0;
  std::string reject_file;  // "" when nothing was rejected
  bool dry_run = false;
};

std::string SummaryLine(const Summary& s);
std::string ReportJson(const Summary& s);

// "1,234,567"
std::string Thousands(uint64_t n);

}  // namespace quiver::ops::ingest
