// Collection: the configuration, write-ahead log and segments of one collection. All writes go
// WAL first, then to the segments; reads see every acknowledged write. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/file_system.h"
#include "base/status.h"
#include "engine/collection/collection_config.h"
#include "engine/collection/operation.h"
#include "engine/collection/optimization.h"
#include "engine/index/exact_search.h"
#include "engine/segment/segment.h"
#include "engine/wal/wal.h"

namespace quiver::engine {

struct PayloadSelector {
  enum class Mode { kNone, kAll, kInclude, kExclude };
  Mode mode = Mode::kNone;
  std::vector<std::string> keys;
};

struct VectorSelector {
  bool all = false;
  std::vector<std::string> names;  // used when !all; empty = no vectors
};

struct Record {
  PointId id;
  uint64_t version = 0;
  float score = 0;
  std::optional<Value> payload;
  std::optional<NamedVectors> vectors;
  std::optional<Value> order_value;
};

// A point and a score from a custom scorer (query.cpp's recommend strategies, discovery,
// rescoring).
struct ScoredId {
  PointId id;
  float score = 0;
};

// One value of a payload key and how many points carry it (facets).
struct FacetHit {
  Value value;
  uint64_t count = 0;
};

// What a search did (for metrics): whether any segment was searched through its graph.
struct SearchStats {
  bool used_graph = false;
};

// Search params `quantization` (Qdrant's QuantizationSearchParams).
struct QuantizationSearchParams {
  bool ignore = false;        // search the original vectors only
  bool rescore = true;        // re-score the quantized candidates with the original vectors
  double oversampling = 1.0;  // fetch limit × oversampling quantized candidates to rescore
};

struct SearchRequest {
  std::string vector_name;  // "" = the default vector
  std::vector<float> vector;
  std::optional<Filter> filter;
  size_t limit = 10;
  size_t offset = 0;
  std::optional<float> score_threshold;
  bool exact = false;
  std::optional<uint64_t> hnsw_ef;
  std::optional<QuantizationSearchParams> quantization;
  std::vector<PointId> exclude_ids;  // e.g. the points a recommendation starts from
  PayloadSelector with_payload;
  VectorSelector with_vector;
  SearchStats* stats = nullptr;  // filled in when set
};

struct OrderBy {
  std::string key;
  bool descending = false;
  std::optional<double> start_from;
};

struct ScrollRequest {
  std::optional<PointId> offset;
  size_t limit = 10;
  std::optional<Filter> filter;
  PayloadSelector with_payload;
  VectorSelector with_vector;
  std::optional<OrderBy> order_by;
};

struct ScrollResult {
  std::vector<Record> points;
  std::optional<PointId> next_page_offset;
};

struct PayloadFieldInfo {
  PayloadIndexParams params;
  uint64_t points = 0;
};

// What /metrics reports per collection: cheap to gather (O(segments), nothing per point).
struct CollectionStats {
  uint64_t points = 0;
  std::map<std::string, uint64_t> segments_by_state;  // "appendable", "sealed", "indexed"
  uint64_t optimizations_queued = 0;  // segments waiting for an index build or vacuum
  uint64_t optimizations_running = 0;
  uint64_t wal_bytes = 0;
  std::string status = "green";  // "yellow" while optimizations are queued or running
};

struct CollectionInfo {
  uint64_t points_count = 0;
  uint64_t indexed_vectors_count = 0;
  uint64_t segments_count = 0;
  CollectionConfig config;
  std::map<std::string, PayloadFieldInfo> payload_schema;
  std::string optimizer_error;  // empty: optimizer_status "ok"
};

class Collection {
 public:
  // Creates a new collection in `dir` (which must not exist); the config must be valid.
  static base::Result<std::unique_ptr<Collection>> Create(base::FileSystem* fs,
                                                          const std::string& dir,
                                                          const std::string& name,
                                                          const CollectionConfig& config);
  // Opens an existing collection: loads the checkpoint, replays the WAL. Corruption when stored
  // data fails its checks (the collection is then not served).
  static base::Result<std::unique_ptr<Collection>> Open(base::FileSystem* fs,
                                                        const std::string& dir,
                                                        const std::string& name);
  ~Collection();

  const std::string& name() const { return name_; }
  const std::string& dir() const { return dir_; }
  CollectionConfig config() const;

  // Replaces the mutable parts of the config (optimizers, hnsw, wal, quantization, per-vector
  // options). BadInput when a vector's size or distance would change or a vector is unknown.
  base::Status UpdateConfig(const CollectionConfig& updated);

  // Applies one update operation: resolves filters to ids, validates (BadInput for wrong vector
  // names or dimensions), appends to the WAL, applies. Returns the operation id.
  base::Result<uint64_t> Update(Operation op);
  // Calls `done` once operation `op_id` is durable (fsynced).
  void WhenDurable(uint64_t op_id, Wal::DoneFn done);

  base::Result<uint64_t> CreatePayloadIndex(const std::string& field,
                                            const PayloadIndexParams& params);
  base::Result<uint64_t> DeletePayloadIndex(const std::string& field);

  // Reads (collection_read.cpp).
  base::Result<std::vector<Record>> Retrieve(const std::vector<PointId>& ids,
                                             const PayloadSelector& with_payload,
                                             const VectorSelector& with_vector) const;
  base::Result<std::vector<Record>> Search(const SearchRequest& req) const;
  base::Result<ScrollResult> Scroll(const ScrollRequest& req) const;
  base::Result<uint64_t> Count(const std::optional<Filter>& filter) const;
  CollectionInfo Info() const;
  // Counts for monitoring, under the shared lock only briefly (collection_stats.cpp).
  CollectionStats Stats() const;
  // The stored vector `name` of point `id` (for query by id and recommend); NotFound otherwise.
  base::Result<std::vector<float>> VectorOf(const PointId& id, const std::string& name) const;

  // Custom scans (collection_scan.cpp), exact. Scores the vector `name` of every point matching
  // `filter` (only the points `ids` when given; `exclude` never) with `scorer`, higher is better;
  // the best `limit`, ties by id. Points without that vector are skipped.
  using VectorScorer = std::function<float(const float* vector)>;
  base::Result<std::vector<ScoredId>> ScoreByVector(const std::string& name,
                                                    const std::optional<Filter>& filter,
                                                    const std::vector<PointId>* ids,
                                                    const std::vector<PointId>& exclude,
                                                    const VectorScorer& scorer, size_t limit) const;
  // Up to `limit` random points matching `filter` (among `ids` when given).
  std::vector<PointId> SamplePoints(const std::optional<Filter>& filter,
                                    const std::vector<PointId>* ids, size_t limit) const;
  // The values at payload `key` of the points matching `filter`, most frequent first (ties by
  // value), at most `limit`. BadRequest unless `key` has a keyword, integer, bool or uuid index.
  base::Result<std::vector<FacetHit>> Facet(const std::string& key,
                                            const std::optional<Filter>& filter,
                                            size_t limit) const;

  // Optimizer (collection_optimizer.cpp). Runs at most one optimization (index build of a sealed
  // segment, or vacuum of one with many deletions) with `threads` threads, outside the write lock
  // except for a short swap; returns whether it did one. Reads and writes go on meanwhile.
  // `cancel` (may be null) aborts a running build at shutdown.
  bool OptimizeStep(int threads, const std::atomic<bool>* cancel = nullptr);
  // Whether an optimization is running or waiting (collection status yellow).
  bool OptimizationPending() const;
  // "green", "yellow" (optimizing or queued), "grey" (queued but max_optimization_threads = 0).
  std::string StatusColor() const;
  // Running, queued, recently completed (up to `completed_limit`) optimizations and idle segments.
  OptimizationsReport Optimizations(size_t completed_limit) const;
  // The segment count the merge optimizer aims at (default_segment_number; 0 = by CPU count) and
  // the largest segment it builds (max_segment_size KB; unset = 256 MB per CPU as Qdrant, but at
  // least 1 GB).
  size_t TargetSegmentCount() const;
  uint64_t MaxSegmentKb() const;
  // Tests: called by OptimizeStep after the build, before the swap (no lock held).
  void SetBeforeSwapHookForTest(std::function<void()> hook) { before_swap_hook_ = std::move(hook); }
  // Runs inside Checkpoint() while its files are written, with no collection lock held.
  void SetCheckpointWriteHookForTest(std::function<void()> hook) {
    checkpoint_write_hook_ = std::move(hook);
  }

  // Persists a checkpoint (segments + meta) and truncates the WAL (collection_store.cpp).
  base::Status Checkpoint();
  // Checkpoints when the WAL is large or writes have been idle for flush_interval_sec.
  base::Status MaybeCheckpoint();
  // Syncs the WAL and writes a final checkpoint.
  base::Status Flush();

  // Snapshots (collection_snapshot.cpp). Captures one point in time: under the shared lock
  // (readers go on, writers wait) checkpoints and hard-links (or copies) collection.meta and the
  // segment files it names into `dest_dir` (existing, empty, on the same file system). Returns
  // their paths relative to `dest_dir` ("collection.meta", "segments/..."). Every acknowledged
  // write is wholly in it or wholly out. The directory opens with Open() once it has a wal/.
  base::Result<std::vector<std::string>> WriteSnapshot(const std::string& dest_dir);
  // Stops all writes and file changes for good (writes then fail with NotFound); used when the
  // collection is replaced by a recovered snapshot and its directory handed over.
  void Retire();

 private:
  struct Location {
    Segment* segment = nullptr;
    uint32_t offset = 0;
  };

  Collection(base::FileSystem* fs, std::string dir, std::string name, CollectionConfig config);

  VectorSpecs Specs() const;
  base::Status ValidateVectors(const NamedVectors& v, bool require_all) const;
  void NormalizeVectors(NamedVectors& v) const;
  base::Status ResolveSelector(PointSelector& sel) const;
  void ResolveAll(Operation& op) const;
  // Applies an operation (already logged) with version op_id. Caller holds mu_ exclusively.
  // Applies a logged operation; payloads are moved out of `op` (it is consumed).
  void Apply(Operation& op, uint64_t op_id);
  void ApplyUpsert(UpsertOp& op, uint64_t op_id);
  void ApplyToPoint(const PointId& id, uint64_t op_id, const Operation& op);
  // Moves a point from a sealed segment to the appendable one; returns its new location.
  Location MakeAppendable(const PointId& id);
  Segment& Appendable();
  std::optional<Location> Find(const PointId& id) const;
  bool MatchesFilter(const Filter& f, const Location& loc) const;
  Record MakeRecord(const Location& loc, const PayloadSelector& wp, const VectorSelector& wv) const;

  bool NeedsIndex(const Segment& s) const;
  bool AppendableReadyToSeal() const;
  bool NeedsVacuum(const Segment& s) const;
  // Whether a sealed segment with `vector_kb` KB of vectors keeps vector `name` on disk (mapped):
  // the vector's `on_disk`, or its vectors passing optimizers_config.memmap_threshold, as Qdrant.
  bool WantsOnDisk(uint64_t vector_kb, const std::string& name) const;
  // A sealed segment whose vector storage (memory / disk) differs from what the config wants:
  // rebuilt by the optimizer (Qdrant's config_mismatch optimizer).
  bool NeedsStorageChange(const Segment& s) const;
  // One unit of optimizer work: the segments it replaces by one new segment.
  struct OptimizationTask {
    std::string optimizer;  // "merge", "vacuum", "indexing", "config_mismatch"
    std::vector<Segment*> sources;
    bool requantize = false;  // config_mismatch of quantization only: no rebuild of the segment
  };
  // Pending work, first to run first (caller holds mu_). A merge also vacuums and indexes.
  // With merge = false, merges are left out (and their sources planned on their own).
  std::vector<OptimizationTask> PlanOptimizations(bool merge = true) const;
  std::vector<Segment*> PlanMerge() const;
  bool OptimizationsDisabled() const;
  // The scalar or binary quantization configured for vector `name` (vector level over collection
  // level); nullopt when none (or product quantization, not implemented).
  std::optional<QuantizationConfig> ScalarQuantizationFor(const std::string& name) const;
  // Whether a sealed segment's quantized copies differ from the config (PATCH re-quantizes).
  bool NeedsQuantization(const Segment& s) const;
  // Per vector name: the scalar quantization wanted (caller holds mu_).
  std::map<std::string, std::optional<QuantizationConfig>> WantedQuantization() const;
  // The quantized copies of `s` for `want` (nullptr where none is wanted); no lock needed. Rows
  // on disk are read in blocks with pread (they stay out of the RSS); an error when one cannot be.
  static base::Result<std::map<std::string, std::unique_ptr<ScalarQuantized>>> Quantize(
      const Segment& s, const std::map<std::string, std::optional<QuantizationConfig>>& want);
  bool Requantize(Segment* seg,
                  const std::map<std::string, std::optional<QuantizationConfig>>& want);
  // Searches one segment into `top` (exact or through its index, chosen per segment).
  // Returns whether the segment's graph was searched.
  bool SearchSegment(const Segment& seg, const SearchRequest& req, const float* query,
                     const VectorParams& params, TopK& top,
                     const std::vector<PointId>& exclude) const;

  // Persistence (collection_store.cpp).
  base::Status WriteMeta(uint64_t checkpoint_op);
  base::Status Load();
  base::Status CheckpointLocked();
  // A checkpoint in three steps: planned (changed segments serialized) under the shared lock,
  // files written without it, committed (meta, WAL truncation) under it again.
  struct CheckpointPlan;
  base::Status PlanCheckpoint(CheckpointPlan& plan, uint64_t budget_bytes);
  base::Status WriteCheckpointFiles(CheckpointPlan& plan);
  base::Status CommitCheckpoint(CheckpointPlan& plan);
  std::string MetaPath() const { return dir_ + "/collection.meta"; }
  void RebuildTextIndexes();  // from payload_indexes_
  // A write in the last second (under mu_): merges, sealing by pause and checkpoints wait.
  bool WritesStreaming() const {
    return std::chrono::steady_clock::now() - last_write_ < std::chrono::seconds(1);
  }
  // During a stream, a checkpoint comes once the WAL passes this many x wal_capacity_mb, or this
  // many x flush_interval_sec after the last one.
  static constexpr uint64_t kStreamWalFactor = 64;
  static constexpr int kStreamIntervalFactor = 12;

  base::FileSystem* fs_;
  std::string dir_;
  std::string name_;

  mutable std::shared_mutex mu_;
  CollectionConfig config_;
  std::map<std::string, PayloadIndexParams> payload_indexes_;
  TextIndexes text_indexes_;  // the `text` ones, parsed (under mu_, like payload_indexes_)
  std::vector<std::unique_ptr<Segment>> segments_;
  // The id map's nodes come from their own pool: interleaved with the payloads a load allocates and
  // frees, they pinned ~70-100 MB of otherwise free heap pages after a 1M-point load. Changed only
  // under mu_ held exclusively, so the unsynchronized pool is enough.
  std::pmr::unsynchronized_pool_resource index_pool_;
  std::pmr::unordered_map<PointId, Location, PointIdHash> index_{&index_pool_};
  std::unique_ptr<Wal> wal_;
  uint64_t last_op_ = 0;
  uint64_t checkpoint_op_ = 0;
  std::atomic<uint64_t> next_segment_id_{1};
  uint64_t generation_ = 0;
  struct SegmentFiles {
    std::string data;     // file holding the segment's data (with deletions as of then)
    std::string deletes;  // newer deletion bitmap, or ""
    std::map<std::string, std::string> indexes;  // vector name → HNSW file
    std::vector<std::string> vectors;            // vector files (on-disk columns)
  };
  std::map<uint64_t, SegmentFiles> segment_files_;
  std::chrono::steady_clock::time_point last_write_;
  std::atomic<int64_t> last_checkpoint_at_{0};  // steady_clock ticks of the last Checkpoint()
  std::mutex checkpoint_mu_;
  std::atomic<bool> optimizing_{false};
  std::mutex optimize_mu_;  // one optimization at a time
  // Progress of the running optimization and the recent completed ones (under tracker_mu_).
  mutable std::mutex tracker_mu_;
  // Vector files written by the optimizer for a segment not swapped in yet: a checkpoint's clean-up
  // must not take them for leftovers (under tracker_mu_).
  std::vector<std::string> unpublished_vector_files_;
  // A vector file could not be written (disk full...): storage changes are not planned again until
  // a restart, so that the optimizer does not rebuild the same segment over and over.
  std::atomic<bool> vector_file_failed_{false};
  // Sealed segments whose rows could not be read (a vector file damaged after it was opened): the
  // optimizer leaves them alone instead of failing on them over and over, and the collection is
  // red with the error as optimizer_status, as Qdrant reports a failed optimizer. Until restart.
  std::set<uint64_t> unreadable_segments_;  // under mu_
  std::string optimizer_error_;             // under tracker_mu_
  std::optional<OptimizationRecord> running_;
  std::vector<OptimizationRecord> completed_;  // oldest first, at most kKeepCompleted
  std::atomic<uint64_t> copy_done_{0}, build_done_{0};
  std::function<void()> before_swap_hook_;
  std::function<void()> checkpoint_write_hook_;
  bool segments_parallel_ = true;  // Search() over several segments uses base::WorkPool
  bool retired_ = false;           // under mu_ (exclusive to set) and checkpoint_mu_
};

}  // namespace quiver::engine
