// Monitoring counts and optimizer reports of a collection (kept apart from collection_read.cpp: no
// per-point work here).
#include <algorithm>
#include <cstdio>

#include "engine/collection/collection.h"

namespace quiver::engine {

std::string SegmentUuid(uint64_t segment_id) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(segment_id & 0xffffffffffffull));
  return buf;
}

CollectionStats Collection::Stats() const {
  CollectionStats stats;
  uint64_t needing = 0;
  {
    std::shared_lock lock(mu_);
    stats.points = index_.size();
    for (const auto& segment : segments_) {
      const char* state = !segment->sealed()            ? "appendable"
                          : !segment->indexes().empty() ? "indexed"
                                                        : "sealed";
      ++stats.segments_by_state[state];
    }
    needing = PlanOptimizations().size() + (AppendableReadyToSeal() ? 1 : 0);
    stats.wal_bytes = wal_ ? wal_->SizeBytes() : 0;
  }
  stats.optimizations_running = optimizing_ ? 1 : 0;
  // The task being run is still planned until its result is swapped in.
  stats.optimizations_queued =
      needing > stats.optimizations_running ? needing - stats.optimizations_running : 0;
  if (stats.optimizations_running + stats.optimizations_queued > 0) stats.status = "yellow";
  std::lock_guard t(tracker_mu_);
  if (!optimizer_error_.empty()) stats.status = "red";
  return stats;
}

OptimizationsReport Collection::Optimizations(size_t completed_limit) const {
  OptimizationsReport report;
  {
    std::lock_guard t(tracker_mu_);
    if (running_) {
      OptimizationRecord rec = *running_;
      // Progress: copying the points, then inserting them into the graph(s).
      OptimizationProgress copy;
      copy.name = "copy_points";
      copy.started_at = rec.progress.started_at;
      copy.done = copy_done_.load();
      OptimizationProgress build;
      build.name = "build_index";
      build.done = build_done_.load();
      build.total = rec.progress.total;
      rec.progress.done = copy_done_.load() + build_done_.load();
      rec.progress.children = {copy, build};
      rec.progress.total.reset();
      report.running.push_back(std::move(rec));
    }
    for (auto it = completed_.rbegin(); it != completed_.rend(); ++it) {
      if (report.completed.size() >= completed_limit) break;
      report.completed.push_back(*it);
    }
  }
  std::shared_lock lock(mu_);
  std::vector<const Segment*> busy;
  auto tasks = PlanOptimizations();
  for (const auto& task : tasks) {
    PendingOptimizationInfo p{task.optimizer, {}};
    for (const Segment* s : task.sources) {
      p.segments.push_back({SegmentUuid(s->id()), s->live_count()});
      busy.push_back(s);
    }
    // The running task is still planned until it is swapped in: not queued twice.
    if (!report.running.empty() && report.running[0].segments.size() == p.segments.size() &&
        report.running[0].segments[0].uuid == p.segments[0].uuid) {
      continue;
    }
    report.queued_segments += p.segments.size();
    for (const auto& s : p.segments) report.queued_points += s.points_count;
    report.queued.push_back(std::move(p));
  }
  if (AppendableReadyToSeal()) {
    const Segment* s = segments_.back().get();
    report.queued.push_back({"indexing", {{SegmentUuid(s->id()), s->live_count()}}});
    report.queued_segments += 1;
    report.queued_points += s->live_count();
    busy.push_back(s);
  }
  report.queued_optimizations = report.queued.size();
  for (const auto& seg : segments_) {
    if (std::find(busy.begin(), busy.end(), seg.get()) != busy.end()) continue;
    report.idle_segments.push_back({SegmentUuid(seg->id()), seg->live_count()});
  }
  report.idle_count = report.idle_segments.size();
  return report;
}

}  // namespace quiver::engine
