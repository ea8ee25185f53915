// The optimizer: merges small sealed segments toward default_segment_number, builds HNSW indexes
// for sealed segments and vacuums segments with many deletions. Work happens on a copy outside the
// write lock; a short exclusive swap installs the result and drops copies of points that changed
// meanwhile. A merge extends the graph of its largest indexed source with the other sources'
// points instead of building from scratch. What to do next is planned in collection_plan.cpp.
// Only the vector files of columns kept on disk are written here (before the swap); the next
// checkpoint persists the new segment and its graph, so a crash in the middle of an optimization
// loses nothing (a vector file not yet named by a checkpoint is removed as an orphan).
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "base/stats.h"
#include "engine/collection/collection.h"

namespace quiver::engine {
namespace {

constexpr size_t kKeepCompleted = 16;

}  // namespace

base::Result<std::map<std::string, std::unique_ptr<ScalarQuantized>>> Collection::Quantize(
    const Segment& s, const std::map<std::string, std::optional<QuantizationConfig>>& want) {
  std::map<std::string, std::unique_ptr<ScalarQuantized>> out;
  for (const auto& [name, spec] : s.specs()) {
    auto it = want.find(name);
    if (it == want.end() || !it->second) {
      out[name] = nullptr;
      continue;
    }
    const std::string& column = name;  // clang 14 cannot capture a structured binding
    auto rows = [&s, &column](uint32_t start, uint32_t count, float* buf) {
      return s.RowsInto(column, start, count, buf);
    };
    out[name] = it->second->kind == QuantizationConfig::Kind::kBinary
                    ? ScalarQuantized::BuildBinary(rows, s.RawPresence(name), s.size(), spec.dim,
                                                   spec.distance)
                    : ScalarQuantized::Build(rows, s.RawPresence(name), s.size(), spec.dim,
                                             spec.distance, it->second->quantile);
    if (!out[name]) {
      return base::Status::Internal("cannot read the vectors of segment " + SegmentUuid(s.id()) +
                                    " (" + s.VectorFileName(name) + ")");
    }
  }
  return out;
}

bool Collection::OptimizeStep(int threads, const std::atomic<bool>* cancel) {
  std::lock_guard one(optimize_mu_);
  {
    std::unique_lock lock(mu_);
    if (OptimizationsDisabled() || retired_) return false;
    // Sealed segments left without live points hold nothing worth merging: drop them.
    auto empty = [](const auto& s) { return s->sealed() && s->live_count() == 0; };
    if (std::any_of(segments_.begin(), segments_.end(), empty)) {
      segments_.erase(std::remove_if(segments_.begin(), segments_.end(), empty), segments_.end());
      return true;
    }
    // The appendable segment past the indexing threshold is sealed once writes pause for a second,
    // so that it gets indexed (during a steady stream it is sealed by size anyway).
    if (AppendableReadyToSeal() && !WritesStreaming()) {
      segments_.back()->Seal();
      return true;
    }
  }
  OptimizationTask task;
  std::map<std::string, std::optional<QuantizationConfig>> quantization;
  const Segment* base = nullptr;  // a merge source whose graph is extended rather than rebuilt
  std::unique_ptr<Segment> rebuilt;
  std::vector<std::pair<const Segment*, uint32_t>> origin;  // per row of `rebuilt`
  std::map<std::string, HnswParams> to_build;
  std::map<std::string, PayloadIndexParams> payload_indexes;
  std::set<std::string> on_disk;  // vector columns the new segment keeps on disk
  base::Status copied = base::Status::Ok();
  uint64_t unreadable = 0;           // the source whose rows could not be read
  std::vector<std::string> written;  // its vector files, kept from the checkpoint's clean-up
  auto unpublish = [&] {
    std::lock_guard t(tracker_mu_);
    for (const auto& f : written) {
      auto& v = unpublished_vector_files_;
      v.erase(std::remove(v.begin(), v.end(), f), v.end());
    }
  };
  {
    std::shared_lock lock(mu_);
    // While points keep streaming in, merging would copy the growing merged segment again for
    // every new sealed one (a bulk load of 1M points copied ~3x its data): merges wait until
    // writes pause for a second, unless segments pile up far past the target (32 segments of
    // ~44k points of 384 dimensions hold 1.4M points).
    const bool streaming =
        WritesStreaming() && segments_.size() <= std::max<size_t>(8 * TargetSegmentCount(), 32);
    auto tasks = PlanOptimizations(!streaming);
    if (tasks.empty()) return false;
    task = tasks.front();
    optimizing_ = true;
    quantization = WantedQuantization();
    if (config_.hnsw_config.max_indexing_threads > 0) {
      threads = std::min<int>(threads, static_cast<int>(config_.hnsw_config.max_indexing_threads));
    }
    if (task.requantize) {
      std::lock_guard t(tracker_mu_);
      OptimizationRecord rec;
      rec.uuid = SegmentUuid(task.sources[0]->id());
      rec.optimizer = task.optimizer;
      rec.segments.push_back({rec.uuid, task.sources[0]->live_count()});
      rec.progress.name = task.optimizer;
      rec.progress.started_at = std::chrono::system_clock::now();
      running_ = std::move(rec);
    }
  }
  if (task.requantize) return Requantize(task.sources[0], quantization);
  {
    std::shared_lock lock(mu_);
    copy_done_ = 0;
    build_done_ = 0;
    uint64_t live = 0;
    for (const Segment* s : task.sources) live += s->live_count();
    rebuilt = std::make_unique<Segment>(next_segment_id_++, Specs());
    rebuilt->PackPayloads();  // filled packed: no decoded copy of half a million payloads
    {
      std::lock_guard t(tracker_mu_);
      OptimizationRecord rec;
      rec.uuid = SegmentUuid(rebuilt->id());
      rec.optimizer = task.optimizer;
      for (const Segment* s : task.sources) {
        rec.segments.push_back({SegmentUuid(s->id()), s->live_count()});
      }
      rec.progress.name = task.optimizer;
      rec.progress.started_at = std::chrono::system_clock::now();
      rec.progress.total = live;
      running_ = std::move(rec);
    }
    payload_indexes = payload_indexes_;
    const auto& threshold = config_.optimizer_config.indexing_threshold;
    for (const auto& [name, p] : config_.vectors) {
      HnswParams hp;
      hp.m = static_cast<uint32_t>(p.hnsw_config && p.hnsw_config->m ? *p.hnsw_config->m
                                                                     : config_.hnsw_config.m);
      hp.ef_construct = static_cast<uint32_t>(p.hnsw_config && p.hnsw_config->ef_construct
                                                  ? *p.hnsw_config->ef_construct
                                                  : config_.hnsw_config.ef_construct);
      hp.threads = threads;
      hp.cancel = cancel;
      hp.progress = &build_done_;
      if (hp.m > 0 && config_.hnsw_config.m > 0 && threshold && *threshold > 0) to_build[name] = hp;
    }
    // The base of a merge: the largest source whose graphs can be kept as they are.
    if (task.optimizer == "merge") {
      for (const Segment* s : task.sources) {
        if (NeedsVacuum(*s) || s->indexes().empty()) continue;
        bool usable = true;
        for (const auto& [name, hp] : to_build) {
          const HnswIndex* g = s->Index(name);
          usable = usable && g && g->params().m == std::max<uint32_t>(hp.m, 2);
        }
        if (usable && (!base || s->size() > base->size())) base = s;
      }
    }
    // Columns kept on disk go to their vector files row by row as they are copied, so the new
    // segment's rows are never whole in memory (a 500k x 384 merge held 750 MB more); until the
    // swap, the checkpoint's clean-up leaves the files alone. After a vector file could not be
    // written, new segments keep their vectors in memory.
    uint64_t rows = base ? base->size() : 0, row_bytes = 0;
    for (const Segment* s : task.sources) rows += s != base ? s->live_count() : 0;
    for (const auto& [name, spec] : rebuilt->specs()) row_bytes += uint64_t(spec.dim) * 4;
    for (const auto& [name, spec] : rebuilt->specs()) {
      if (vector_file_failed_ || !WantsOnDisk(rows * row_bytes / 1024, name)) continue;
      const std::string file = rebuilt->VectorFileName(name);
      {
        std::lock_guard t(tracker_mu_);
        for (const auto& f : {file, file + ".tmp"}) {
          unpublished_vector_files_.push_back(f);
          written.push_back(f);
        }
      }
      base::Status st = rebuilt->StreamVectorsToDisk(fs_, dir_ + "/segments", name);
      if (st.ok()) {
        on_disk.insert(name);
      } else {
        vector_file_failed_ = true;
        spdlog::error("collection {}: cannot write vector file {}: {}", name_, file, st.message());
      }
    }
    // Copy: the base first with every row (deleted ones stay deleted, so its graph's offsets
    // hold), then the live points of the others. Rows are read in blocks, from vector files with
    // positional reads, which map no page of the sources into the process.
    // The lock is let go every 64 blocks, so that writers wait for one chunk, not for a whole
    // merge's copy and file writes; sealed segments change only by deletion meanwhile, and the
    // swap drops copies of points that changed.
    auto copy = [&](const Segment* s, bool all_rows) -> base::Status {
      constexpr uint32_t kBlock = 1024, kBlocksPerHold = 64;
      std::map<std::string, std::vector<float>> bufs;
      std::map<std::string, const float*> block;
      for (uint32_t start = 0; start < s->size(); start += kBlock) {
        if (start > 0 && start % (kBlock * kBlocksPerHold) == 0) {
          lock.unlock();
          lock.lock();
          for (const Segment* src : task.sources) {
            if (std::none_of(segments_.begin(), segments_.end(),
                             [&](const auto& p) { return p.get() == src; })) {
              return base::Status::Internal("segments changed");
            }
          }
        }
        const uint32_t count = std::min(kBlock, s->size() - start);
        for (const auto& [name, spec] : s->specs()) {
          auto& buf = bufs[name];
          buf.resize(size_t(kBlock) * spec.dim);
          block[name] = s->RowsInto(name, start, count, buf.data());
          if (!block[name]) {
            unreadable = s->id();
            return base::Status::Internal("cannot read the vectors of segment " +
                                          SegmentUuid(s->id()) + " (" + s->VectorFileName(name) +
                                          ")");
          }
        }
        for (uint32_t i = start; i < start + count; ++i) {
          if (s->IsDeleted(i) && !all_rows) continue;
          NamedVectors vectors;
          for (const auto& [name, spec] : s->specs()) {
            const float* v = block[name] + size_t(i - start) * spec.dim;
            if (s->HasVector(i, name)) vectors[name].assign(v, v + spec.dim);
          }
          uint32_t off = rebuilt->Append(s->IdAt(i), s->VersionAt(i), vectors, s->PayloadAt(i));
          if (s->IsDeleted(i)) rebuilt->MarkDeleted(off);
          origin.emplace_back(s, i);
          copy_done_.fetch_add(1, std::memory_order_relaxed);
        }
      }
      return base::Status::Ok();
    };
    if (base) copied = copy(base, true);
    for (const Segment* s : task.sources) {
      if (s != base && copied.ok()) copied = copy(s, false);
    }
    rebuilt->Seal();
    rebuilt->UseHugePages(on_disk);  // before the graph build, which reads rows at random
    bool index = rebuilt->vector_bytes() / 1024 >= threshold.value_or(0);
    if (!index) to_build.clear();
  }
  auto finish = [&](OptimizationRecord::Status status, const std::string& message) {
    std::lock_guard t(tracker_mu_);
    if (!running_) return;
    running_->status = status;
    running_->message = message;
    running_->progress.finished_at = std::chrono::system_clock::now();
    running_->progress.done = build_done_.load();
    completed_.push_back(std::move(*running_));
    running_.reset();
    if (completed_.size() > kKeepCompleted) completed_.erase(completed_.begin());
  };
  auto started = std::chrono::steady_clock::now();
  if (!copied.ok() && unreadable == 0) {  // a source went away while the lock was let go
    rebuilt.reset();
    unpublish();
    finish(OptimizationRecord::Status::kCancelled, copied.message());
    optimizing_ = false;
    return true;
  }
  if (!copied.ok()) {  // a source's vector file cannot be read: nothing changes
    spdlog::error("collection {}: {} stopped: {}; the segment is left as it is", name_,
                  task.optimizer, copied.message());
    rebuilt.reset();
    unpublish();
    finish(OptimizationRecord::Status::kError, copied.message());
    {
      std::unique_lock lock(mu_);
      unreadable_segments_.insert(unreadable);
    }
    {
      std::lock_guard t(tracker_mu_);
      optimizer_error_ = copied.message();
    }
    optimizing_ = false;
    return true;  // the other segments' work goes on
  }
  if (base::Status st = rebuilt->FinishVectorFiles(); !st.ok()) {
    // Tried again at once with the columns in memory: correct, only larger.
    vector_file_failed_ = true;
    spdlog::error(
        "collection {}: cannot write the vector files of segment {}: {}; new segments"
        " keep their vectors in memory until a restart",
        name_, rebuilt->id(), st.message());
    rebuilt.reset();
    unpublish();
    finish(OptimizationRecord::Status::kError, st.message());
    optimizing_ = false;
    return true;
  }
  for (const auto& [key, p] : payload_indexes) rebuilt->BuildFieldIndex(key, p.type);
  for (const auto& [name, hp] : to_build) {
    const auto& spec = rebuilt->specs().at(name);
    const HnswIndex* base_graph = base ? base->Index(name) : nullptr;
    auto graph = base_graph ? HnswIndex::Extend(*base_graph, rebuilt->RawColumn(name),
                                                rebuilt->RawPresence(name), rebuilt->size(), hp)
                            : HnswIndex::Build(rebuilt->RawColumn(name), rebuilt->RawPresence(name),
                                               rebuilt->size(), spec.dim, spec.distance, hp);
    if (!graph) {  // cancelled: the sources stay as they are
      unpublish();
      finish(OptimizationRecord::Status::kCancelled, "shutdown");
      optimizing_ = false;
      return false;
    }
    rebuilt->SetIndex(name, std::move(graph));
  }
  auto quantized = Quantize(*rebuilt, quantization);
  rebuilt->DropResidentVectors();  // the build read every row; searches map back what they use
  if (!quantized.ok()) {           // its own new vector file: tried again at once in memory
    vector_file_failed_ = true;
    spdlog::error("collection {}: {}; new segments keep their vectors in memory until a restart",
                  name_, quantized.status().message());
    unpublish();
    finish(OptimizationRecord::Status::kError, quantized.status().message());
    optimizing_ = false;
    return true;
  }
  for (auto& [name, q] : quantized.value()) rebuilt->SetQuantized(name, std::move(q));
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!to_build.empty()) {
    static base::HistogramFamily& builds = base::StatsRegistry::Global().Histogram(
        "quiver_index_build_duration_seconds", "time to build the HNSW graph(s) of one segment",
        {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600}, {"collection"});
    builds.With({name_}).Observe(seconds);
  }

  if (before_swap_hook_) before_swap_hook_();
  std::unique_lock lock(mu_);
  for (const Segment* s : task.sources) {
    if (std::none_of(segments_.begin(), segments_.end(),
                     [&](const auto& p) { return p.get() == s; })) {
      // The collection changed shape meanwhile: try again later.
      unpublish();
      finish(OptimizationRecord::Status::kCancelled, "segments changed");
      optimizing_ = false;
      return true;
    }
  }
  // Points deleted or updated since the copy live elsewhere now (or nowhere): drop their copy.
  uint32_t dropped = 0;
  for (uint32_t i = 0; i < rebuilt->size(); ++i) {
    if (rebuilt->IsDeleted(i)) continue;
    auto [src, off] = origin[i];
    auto loc = index_.find(rebuilt->IdAt(i));
    if (loc == index_.end() || loc->second.segment != src || loc->second.offset != off ||
        src->VersionAt(off) != rebuilt->VersionAt(i)) {
      rebuilt->MarkDeleted(i);
      ++dropped;
      continue;
    }
    loc->second = Location{rebuilt.get(), i};
  }
  spdlog::info(
      "collection {}: {} of {} segment(s) → {} ({} points, {} dropped, {} graph(s){}, {:.1f}s)",
      name_, task.optimizer, task.sources.size(), rebuilt->id(), rebuilt->live_count(), dropped,
      to_build.size(), base ? " extended" : "", seconds);
  // The new segment takes the place of the first source; the appendable segment stays last.
  auto first = std::find_if(segments_.begin(), segments_.end(), [&](const auto& p) {
    return std::find(task.sources.begin(), task.sources.end(), p.get()) != task.sources.end();
  });
  *first = std::move(rebuilt);
  unpublish();  // the live segment now keeps its files
  segments_.erase(std::remove_if(segments_.begin(), segments_.end(),
                                 [&](const auto& p) {
                                   return std::find(task.sources.begin(), task.sources.end(),
                                                    p.get()) != task.sources.end();
                                 }),
                  segments_.end());
  finish(OptimizationRecord::Status::kDone, "");
  lock.unlock();
  // Hand the heap this job freed (the sources' ids and payloads, build buffers) back to the OS
  // before the status can turn green, rather than on the catalog's next idle pass: glibc keeps
  // freed small blocks otherwise. A pass over the free lists: milliseconds.
  malloc_trim(0);
  optimizing_ = false;
  return true;
}

// Quantization changed (PATCH): the segment's points stay, only its quantized copies are rebuilt,
// outside the lock (a sealed segment's vectors never change), then swapped in.
bool Collection::Requantize(Segment* seg,
                            const std::map<std::string, std::optional<QuantizationConfig>>& want) {
  auto built = Quantize(*seg, want);
  seg->DropResidentVectors();
  std::unique_lock lock(mu_);
  bool present = std::any_of(segments_.begin(), segments_.end(),
                             [&](const auto& p) { return p.get() == seg; });
  if (!built.ok()) {  // left as it is and not planned again (see OptimizeStep's copy)
    spdlog::error("collection {}: quantization stopped: {}", name_, built.status().message());
    unreadable_segments_.insert(seg->id());
  } else if (present) {
    for (auto& [name, q] : built.value()) seg->SetQuantized(name, std::move(q));
  }
  {
    std::lock_guard t(tracker_mu_);
    if (!built.ok()) optimizer_error_ = built.status().message();
    if (running_) {
      running_->status =
          built.ok() ? OptimizationRecord::Status::kDone : OptimizationRecord::Status::kError;
      if (!built.ok()) running_->message = built.status().message();
      running_->progress.finished_at = std::chrono::system_clock::now();
      completed_.push_back(std::move(*running_));
      running_.reset();
      if (completed_.size() > kKeepCompleted) completed_.erase(completed_.begin());
    }
  }
  optimizing_ = false;
  return true;
}

}  // namespace quiver::engine
