// Monitoring counts of a collection (kept apart from collection_read.cpp: no per-point work here).
#include "engine/collection/collection.h"

namespace quiver::engine {

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
      if (NeedsIndex(*segment) || NeedsVacuum(*segment)) ++needing;
    }
    stats.wal_bytes = wal_ ? wal_->SizeBytes() : 0;
  }
  stats.optimizations_running = optimizing_ ? 1 : 0;
  // The segment being optimized still needs it until the result is swapped in.
  stats.optimizations_queued =
      needing > stats.optimizations_running ? needing - stats.optimizations_running : 0;
  if (stats.optimizations_running + stats.optimizations_queued > 0) stats.status = "yellow";
  return stats;
}

}  // namespace quiver::engine
