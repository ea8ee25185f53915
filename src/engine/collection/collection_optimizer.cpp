// The optimizer: builds HNSW indexes for sealed segments and vacuums segments with many deletions.
// Work happens on a copy outside the write lock; a short exclusive swap installs the result and
// drops points that changed meanwhile. Nothing is written to disk here: the next checkpoint
// persists the new segment and its graph, so a crash in the middle of an optimization loses
// nothing.
#include <spdlog/spdlog.h>

#include <chrono>

#include "base/stats.h"
#include "engine/collection/collection.h"

namespace quiver::engine {

bool Collection::NeedsIndex(const Segment& s) const {
  if (!s.sealed() || s.live_count() == 0) return false;
  const auto& threshold = config_.optimizer_config.indexing_threshold;
  if (!threshold || *threshold == 0) return false;  // 0 disables indexing, as in Qdrant
  if (config_.hnsw_config.m == 0) return false;     // m = 0 disables the graph (bulk loading)
  if (s.vector_bytes() / 1024 < *threshold) return false;
  for (const auto& [name, p] : config_.vectors) {
    if (!s.Index(name)) return true;
  }
  return false;
}

bool Collection::NeedsVacuum(const Segment& s) const {
  if (!s.sealed() || s.size() == 0) return false;
  const auto& o = config_.optimizer_config;
  return s.deleted_count() >= o.vacuum_min_vector_number &&
         double(s.deleted_count()) / double(s.size()) > o.deleted_threshold;
}

bool Collection::OptimizationPending() const {
  if (optimizing_) return true;
  std::shared_lock lock(mu_);
  if (AppendableReadyToSeal()) return true;
  for (const auto& seg : segments_) {
    if (NeedsIndex(*seg) || NeedsVacuum(*seg)) return true;
  }
  return false;
}

bool Collection::AppendableReadyToSeal() const {
  if (segments_.empty() || segments_.back()->sealed() || segments_.back()->live_count() == 0) {
    return false;
  }
  const auto& threshold = config_.optimizer_config.indexing_threshold;
  if (!threshold || *threshold == 0 || config_.hnsw_config.m == 0) return false;
  return segments_.back()->vector_bytes() / 1024 >= *threshold;
}

bool Collection::OptimizeStep(int threads, const std::atomic<bool>* cancel) {
  std::lock_guard one(optimize_mu_);
  // The appendable segment past the indexing threshold is sealed once writes pause for a second,
  // so that it gets indexed (during a steady stream it is sealed by size anyway).
  {
    std::unique_lock lock(mu_);
    if (AppendableReadyToSeal() &&
        std::chrono::steady_clock::now() - last_write_ > std::chrono::seconds(1)) {
      segments_.back()->Seal();
      return true;
    }
  }
  const Segment* source = nullptr;
  std::unique_ptr<Segment> rebuilt;
  std::map<std::string, HnswParams> to_build;
  std::map<std::string, PayloadIndexParams> payload_indexes;
  {
    std::shared_lock lock(mu_);
    for (const auto& seg : segments_) {
      if (NeedsVacuum(*seg) || NeedsIndex(*seg)) {
        source = seg.get();
        break;
      }
    }
    if (!source) return false;
    optimizing_ = true;
    // Copy the live points into a new sealed segment (a vacuum when there were deletions).
    rebuilt = std::make_unique<Segment>(next_segment_id_++, Specs());
    for (uint32_t i = 0; i < source->size(); ++i) {
      if (source->IsDeleted(i)) continue;
      NamedVectors vectors;
      for (const auto& [name, spec] : source->specs()) {
        if (const float* v = source->VectorAt(i, name)) vectors[name].assign(v, v + spec.dim);
      }
      rebuilt->Append(source->IdAt(i), source->VersionAt(i), vectors, source->PayloadAt(i));
    }
    rebuilt->Seal();
    payload_indexes = payload_indexes_;
    const auto& threshold = config_.optimizer_config.indexing_threshold;
    bool index = threshold && *threshold > 0 && config_.hnsw_config.m > 0 &&
                 rebuilt->vector_bytes() / 1024 >= *threshold;
    for (const auto& [name, p] : config_.vectors) {
      if (!index) break;
      HnswParams hp;
      hp.m = static_cast<uint32_t>(p.hnsw_config && p.hnsw_config->m ? *p.hnsw_config->m
                                                                     : config_.hnsw_config.m);
      hp.ef_construct = static_cast<uint32_t>(p.hnsw_config && p.hnsw_config->ef_construct
                                                  ? *p.hnsw_config->ef_construct
                                                  : config_.hnsw_config.ef_construct);
      hp.threads = threads;
      hp.cancel = cancel;
      if (hp.m > 0) to_build[name] = hp;
    }
  }
  auto started = std::chrono::steady_clock::now();
  for (const auto& [key, p] : payload_indexes) rebuilt->BuildFieldIndex(key, p.type);
  for (const auto& [name, hp] : to_build) {
    const auto& spec = rebuilt->specs().at(name);
    auto graph = HnswIndex::Build(rebuilt->RawColumn(name), rebuilt->RawPresence(name),
                                  rebuilt->size(), spec.dim, spec.distance, hp);
    if (!graph) {  // cancelled: the source segment stays as it is
      optimizing_ = false;
      return false;
    }
    rebuilt->SetIndex(name, std::move(graph));
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!to_build.empty()) {
    static base::HistogramFamily& builds = base::StatsRegistry::Global().Histogram(
        "quiver_index_build_duration_seconds", "time to build the HNSW graph(s) of one segment",
        {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600}, {"collection"});
    builds.With({name_}).Observe(seconds);
  }

  std::unique_lock lock(mu_);
  auto it = std::find_if(segments_.begin(), segments_.end(),
                         [&](const auto& s) { return s.get() == source; });
  if (it == segments_.end()) {  // the collection changed shape meanwhile: try again later
    optimizing_ = false;
    return true;
  }
  // Points deleted or updated since the copy live elsewhere now (or nowhere): drop their copy.
  uint32_t dropped = 0;
  for (uint32_t i = 0; i < rebuilt->size(); ++i) {
    auto loc = index_.find(rebuilt->IdAt(i));
    if (loc == index_.end() || loc->second.segment != source ||
        source->VersionAt(loc->second.offset) != rebuilt->VersionAt(i)) {
      rebuilt->MarkDeleted(i);
      ++dropped;
      continue;
    }
    loc->second = Location{rebuilt.get(), i};
  }
  spdlog::info(
      "collection {}: optimized segment {} → {} ({} points, {} dropped, {} graph(s), {:.1f}s)",
      name_, source->id(), rebuilt->id(), rebuilt->size(), dropped, to_build.size(), seconds);
  // Keep the appendable segment last: the new sealed one takes the old one's place.
  *it = std::move(rebuilt);
  optimizing_ = false;
  return true;
}

}  // namespace quiver::engine
