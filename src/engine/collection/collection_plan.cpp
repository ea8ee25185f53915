// The optimizer's planning: which segments need work (indexing, vacuum, storage or quantization
// changes, merges toward default_segment_number) and the collection status that follows from it.
// The work itself is in collection_optimizer.cpp.
#include <algorithm>
#include <thread>

#include "engine/collection/collection.h"

namespace quiver::engine {
namespace {

constexpr size_t kKeepCompleted = 16;
constexpr uint64_t kMaxSegmentKbPerCpu = 256000;  // Qdrant's DEFAULT_MAX_SEGMENT_PER_CPU_KB
// ... but at least 1 GB: with 256 MB per CPU, a 1M x 384 collection on 2 cores had 4 segments,
// so that every query walked 4 graphs on 2 cores; with one ~750 MB segment per core it walks 2,
// one per core (docs/benchmarks.md: one-client QPS at recall 0.95 from 0.70x hnswlib's to
// 0.89-1.10x).
constexpr uint64_t kMinAutoMaxSegmentKb = 1000000;

size_t Cpus() { return std::max(1u, std::thread::hardware_concurrency()); }

// KB of vectors held by the live points of a segment.
uint64_t LiveKb(const Segment& s) {
  if (s.size() == 0) return 0;
  return s.vector_bytes() / s.size() * s.live_count() / 1024;
}

}  // namespace

size_t Collection::TargetSegmentCount() const {
  uint64_t n = config_.optimizer_config.default_segment_number;
  if (n == 0) return std::clamp<size_t>(Cpus(), 2, 8);
  return static_cast<size_t>(n);
}

uint64_t Collection::MaxSegmentKb() const {
  if (const auto& kb = config_.optimizer_config.max_segment_size) return std::max<uint64_t>(*kb, 1);
  return std::max(Cpus() * kMaxSegmentKbPerCpu, kMinAutoMaxSegmentKb);
}

bool Collection::OptimizationsDisabled() const {
  const auto& t = config_.optimizer_config.max_optimization_threads;
  return t && *t == 0;
}

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

std::optional<QuantizationConfig> Collection::ScalarQuantizationFor(const std::string& name) const {
  auto it = config_.vectors.find(name);
  const std::optional<QuantizationConfig>* q = &config_.quantization_config;
  if (it != config_.vectors.end() && it->second.quantization_config) {
    q = &it->second.quantization_config;
  }
  if (!*q || (*q)->kind == QuantizationConfig::Kind::kProduct) return std::nullopt;
  return **q;
}

bool Collection::NeedsQuantization(const Segment& s) const {
  if (!s.sealed() || s.live_count() == 0) return false;
  for (const auto& [name, p] : config_.vectors) {
    auto want = ScalarQuantizationFor(name);
    const ScalarQuantized* have = s.Quantized(name);
    if (want.has_value() != (have != nullptr)) return true;
    if (!have) continue;
    const bool binary = want->kind == QuantizationConfig::Kind::kBinary;
    if (have->binary() != binary || (!binary && have->quantile() != want->quantile)) return true;
  }
  return false;
}

std::map<std::string, std::optional<QuantizationConfig>> Collection::WantedQuantization() const {
  std::map<std::string, std::optional<QuantizationConfig>> want;
  for (const auto& [name, p] : config_.vectors) want[name] = ScalarQuantizationFor(name);
  return want;
}

bool Collection::WantsOnDisk(uint64_t vector_kb, const std::string& name) const {
  auto it = config_.vectors.find(name);
  if (it != config_.vectors.end() && it->second.on_disk.value_or(false)) return true;
  const auto& threshold = config_.optimizer_config.memmap_threshold;
  return threshold && *threshold > 0 && vector_kb >= *threshold;
}

bool Collection::NeedsStorageChange(const Segment& s) const {
  if (!s.sealed() || s.live_count() == 0 || vector_file_failed_) return false;
  for (const auto& [name, spec] : s.specs()) {
    if (s.OnDisk(name) != WantsOnDisk(s.vector_bytes() / 1024, name)) return true;
  }
  return false;
}

bool Collection::NeedsVacuum(const Segment& s) const {
  if (!s.sealed() || s.size() == 0) return false;
  const auto& o = config_.optimizer_config;
  return s.deleted_count() >= o.vacuum_min_vector_number &&
         double(s.deleted_count()) / double(s.size()) > o.deleted_threshold;
}

// Qdrant's merge optimizer: when there are more segments than the target, merge the smallest
// sealed ones into one, never past max_segment_size. We take as many small ones as bring the
// count down to the target (at least two), so a burst of small segments is merged once, but no
// more than make a segment of the collection's size / sealed target (+1/8): merged segments come
// out about equal, and the segments of one query split evenly over the cores (one 940k and one 60k
// segment would leave one core idle). When that bound leaves fewer than two to merge, only
// max_segment_size bounds the merge.
std::vector<Segment*> Collection::PlanMerge() const {
  const size_t target = TargetSegmentCount();
  if (segments_.size() <= target) return {};
  std::vector<Segment*> sealed;
  uint64_t collection_kb = 0;
  for (const auto& s : segments_) {
    collection_kb += LiveKb(*s);
    if (s->sealed() && !unreadable_segments_.count(s->id())) sealed.push_back(s.get());
  }
  std::stable_sort(sealed.begin(), sealed.end(),
                   [](const Segment* a, const Segment* b) { return LiveKb(*a) < LiveKb(*b); });
  const size_t want = segments_.size() - target + 1;
  auto pick_up_to = [&](uint64_t max_kb) {
    std::vector<Segment*> pick;
    uint64_t total = 0;
    for (Segment* s : sealed) {
      if (pick.size() >= want || total + LiveKb(*s) > max_kb) break;
      total += LiveKb(*s);
      pick.push_back(s);
    }
    return pick;
  };
  // An appendable segment counts toward the target, so the sealed ones share one place less.
  const bool appendable = !segments_.back()->sealed();
  const uint64_t even_kb = collection_kb / std::max<size_t>(1, target - (appendable ? 1 : 0)) + 1;
  std::vector<Segment*> pick = pick_up_to(std::min(MaxSegmentKb(), even_kb + even_kb / 8));
  if (pick.size() < 2) pick = pick_up_to(MaxSegmentKb());
  if (pick.size() < 2) return {};
  return pick;
}

std::vector<Collection::OptimizationTask> Collection::PlanOptimizations(bool merge_now) const {
  std::vector<OptimizationTask> tasks;
  std::vector<Segment*> merge;
  if (merge_now) merge = PlanMerge();
  if (!merge.empty()) tasks.push_back({"merge", merge});
  auto in_merge = [&](const Segment* s) {
    return std::find(merge.begin(), merge.end(), s) != merge.end();
  };
  for (const auto& seg : segments_) {
    if (in_merge(seg.get()) || unreadable_segments_.count(seg->id())) continue;
    if (NeedsVacuum(*seg)) {
      tasks.push_back({"vacuum", {seg.get()}});
    } else if (NeedsIndex(*seg)) {
      tasks.push_back({"indexing", {seg.get()}});
    } else if (NeedsStorageChange(*seg)) {
      tasks.push_back({"config_mismatch", {seg.get()}});  // Qdrant's name for config changes
    } else if (NeedsQuantization(*seg)) {
      tasks.push_back({"config_mismatch", {seg.get()}, true});
    }
  }
  return tasks;
}

bool Collection::OptimizationPending() const {
  if (optimizing_) return true;
  std::shared_lock lock(mu_);
  return AppendableReadyToSeal() || !PlanOptimizations().empty();
}

std::string Collection::StatusColor() const {
  {
    std::lock_guard t(tracker_mu_);
    if (!optimizer_error_.empty()) return "red";
  }
  if (!OptimizationPending()) return "green";
  std::shared_lock lock(mu_);
  return OptimizationsDisabled() && !optimizing_ ? "grey" : "yellow";
}

bool Collection::AppendableReadyToSeal() const {
  if (segments_.empty() || segments_.back()->sealed() || segments_.back()->live_count() == 0) {
    return false;
  }
  const auto& threshold = config_.optimizer_config.indexing_threshold;
  if (!threshold || *threshold == 0 || config_.hnsw_config.m == 0) return false;
  return segments_.back()->vector_bytes() / 1024 >= *threshold;
}

}  // namespace quiver::engine
