// The whole /metrics page: Qdrant's families (same names, labels and buckets, so Qdrant's
// dashboards and alerts work) followed by Quiver's own quiver_* families. The API layer gathers
// the samples (cheaply: counters, no work per point) and this renders them; it knows no engine.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "observability/rest_metrics.h"

namespace quiver::observability {

struct CollectionSample {
  std::string name;
  uint64_t points = 0;
  std::vector<std::string> vector_names;
  std::map<std::string, uint64_t> segments_by_state;
  uint64_t optimizations_queued = 0;
  uint64_t optimizations_running = 0;
  uint64_t wal_bytes = 0;
  uint64_t snapshots_creating = 0;
  uint64_t snapshots_recovering = 0;
  uint64_t snapshots_created = 0;
  std::string status = "green";  // green | yellow | grey | red, as GET /collections/{name}
};

struct ServerSample {
  std::string app_version;  // the Qdrant version Quiver answers as (app_info)
  std::string commit;
  bool recovery_mode = false;
  std::vector<std::pair<std::string, std::string>> volumes;  // (volume label, directory)
  std::vector<CollectionSample> collections;
};

// Renders every family. `per_collection` (the ?per_collection=true query parameter) adds a
// `collection` label to the rest_* families and drops their global series, as Qdrant.
std::string RenderServerMetrics(const ServerSample& server, const RestMetrics& rest,
                                bool per_collection);

}  // namespace quiver::observability
