#include "observability/server_metrics.h"

#include <set>

#include "base/stats.h"
#include "observability/process_stats.h"
#include "observability/resource_stats.h"
#include "observability/text_format.h"

#ifndef QUIVER_VERSION
#define QUIVER_VERSION "0.0.0"
#endif

namespace quiver::observability {
namespace {

// Segment states always reported (zero when absent) so that their series do not come and go.
const char* const kSegmentStates[] = {"appendable", "sealed", "indexed"};
const char* const kStatuses[] = {"green", "yellow", "grey", "red"};

// A per-collection family; `label` is Qdrant's "id" for its collection_* families.
template <typename Value>
void PerCollection(std::string& out, const ServerSample& s, const char* name, const char* help,
                   const char* type, const char* label, Value value) {
  if (s.collections.empty()) return;
  AppendHeader(out, name, help, type);
  for (const auto& c : s.collections) {
    AppendSample(out, name, {{label, c.name}}, static_cast<double>(value(c)));
  }
}

void RenderQdrantFamilies(std::string& out, const ServerSample& s) {
  AppendHeader(out, "app_info", "information about qdrant server", "gauge");
  AppendSample(out, "app_info", {{"name", "quiver"}, {"version", s.app_version}}, 1);
  AppendGauge(out, "collections_total", "number of collections",
              static_cast<double>(s.collections.size()));
  uint64_t vectors = 0;
  for (const auto& c : s.collections) vectors += c.points * c.vector_names.size();
  AppendGauge(out, "collections_vector_total", "total number of vectors in all collections",
              static_cast<double>(vectors));
  using C = const CollectionSample&;
  PerCollection(out, s, "collection_points", "approximate amount of points per collection", "gauge",
                "id", [](C c) { return c.points; });
  if (!s.collections.empty()) {
    AppendHeader(out, "collection_vectors", "amount of vectors per collection and vector name",
                 "gauge");
    for (const auto& c : s.collections) {
      for (const auto& v : c.vector_names) {
        AppendSample(out, "collection_vectors", {{"collection", c.name}, {"vector", v}},
                     static_cast<double>(c.points));
      }
    }
  }
  PerCollection(out, s, "collection_running_optimizations",
                "number of currently running optimization tasks per collection", "gauge", "id",
                [](C c) { return c.optimizations_running; });
  PerCollection(out, s, "snapshot_creation_running",
                "number of snapshots currently being created per collection", "gauge", "id",
                [](C c) { return c.snapshots_creating; });
  PerCollection(out, s, "snapshot_recovery_running",
                "number of snapshots currently being recovered per collection", "gauge", "id",
                [](C c) { return c.snapshots_recovering; });
  PerCollection(out, s, "snapshot_created_total",
                "number of snapshots created per collection since start", "counter", "id",
                [](C c) { return c.snapshots_created; });
  AppendGauge(out, "app_status_recovery_mode", "features enabled in qdrant server",
              s.recovery_mode ? 1 : 0);
  AppendGauge(out, "cluster_enabled", "is cluster support enabled", 0);
}

void RenderQuiverFamilies(std::string& out, const ServerSample& s) {
  AppendHeader(out, "quiver_build_info", "Quiver build: version, git commit, Qdrant API version",
               "gauge");
  AppendSample(out, "quiver_build_info",
               {{"version", QUIVER_VERSION}, {"commit", s.commit}, {"qdrant_api", s.app_version}},
               1);
  using C = const CollectionSample&;
  if (!s.collections.empty()) {
    AppendHeader(out, "quiver_collection_status",
                 "1 for the collection's current status (green, yellow, grey, red)", "gauge");
    for (const auto& c : s.collections) {
      for (const char* status : kStatuses) {
        AppendSample(out, "quiver_collection_status", {{"collection", c.name}, {"status", status}},
                     c.status == status ? 1 : 0);
      }
    }
    AppendHeader(out, "quiver_segments", "segments per collection and state", "gauge");
    for (const auto& c : s.collections) {
      std::set<std::string> states(std::begin(kSegmentStates), std::end(kSegmentStates));
      for (const auto& [state, n] : c.segments_by_state) states.insert(state);
      for (const auto& state : states) {
        auto it = c.segments_by_state.find(state);
        AppendSample(out, "quiver_segments", {{"collection", c.name}, {"state", state}},
                     it == c.segments_by_state.end() ? 0 : static_cast<double>(it->second));
      }
    }
  }
  PerCollection(out, s, "quiver_optimizer_queue_length",
                "segments waiting for an optimization (index build, vacuum)", "gauge", "collection",
                [](C c) { return c.optimizations_queued; });
  PerCollection(out, s, "quiver_optimizer_running_tasks", "optimizations running now", "gauge",
                "collection", [](C c) { return c.optimizations_running; });
  PerCollection(out, s, "quiver_wal_size_bytes",
                "bytes in the live write-ahead log files (shrinks at each checkpoint)", "gauge",
                "collection", [](C c) { return c.wal_bytes; });
  RenderDiskStats(out, s.volumes);
  RenderMemoryLimit(out);
  // quiver_wal_*, quiver_search_duration_seconds and whatever else the code registered.
  AppendStats(out, base::StatsRegistry::Global().Snapshot());
}

}  // namespace

std::string RenderServerMetrics(const ServerSample& server, const RestMetrics& rest,
                                bool per_collection) {
  std::string out;
  out.reserve(16 << 10);
  RenderQdrantFamilies(out, server);
  rest.Render(out, per_collection);
  RenderProcessStats(out);
  RenderQuiverFamilies(out, server);
  return out;
}

}  // namespace quiver::observability
