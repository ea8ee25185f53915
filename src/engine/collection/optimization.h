// What the optimizer reports (GET /collections/{name}/optimizations): running, queued and
// completed optimizations with their segments and progress, in Qdrant's terms.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace quiver::engine {

struct OptimizationSegmentInfo {
  std::string uuid;  // derived from the segment id
  uint64_t points_count = 0;
};

struct OptimizationProgress {
  std::string name;
  std::optional<std::chrono::system_clock::time_point> started_at, finished_at;
  std::optional<uint64_t> done, total;
  std::vector<OptimizationProgress> children;
};

struct OptimizationRecord {
  enum class Status { kOptimizing, kDone, kCancelled, kError };
  std::string uuid;       // the uuid of the segment it produces
  std::string optimizer;  // "merge", "indexing", "vacuum"
  Status status = Status::kOptimizing;
  std::string message;  // for kCancelled / kError
  std::vector<OptimizationSegmentInfo> segments;
  OptimizationProgress progress;
};

struct PendingOptimizationInfo {
  std::string optimizer;
  std::vector<OptimizationSegmentInfo> segments;
};

struct OptimizationsReport {
  std::vector<OptimizationRecord> running;
  std::vector<PendingOptimizationInfo> queued;
  std::vector<OptimizationRecord> completed;  // newest first
  std::vector<OptimizationSegmentInfo> idle_segments;
  uint64_t queued_optimizations = 0, queued_segments = 0, queued_points = 0, idle_count = 0;
};

// A segment's uuid: stable for the segment's life, unique within its collection.
std::string SegmentUuid(uint64_t segment_id);

}  // namespace quiver::engine
