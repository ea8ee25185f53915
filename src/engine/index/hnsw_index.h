// HNSW graph over the vectors of one sealed segment (Malkov & Yashunin), built in parallel,
// searched with an optional predicate over offsets (filters and deletions), persisted in its own
// file (docs/formats/hnsw.md). The vectors stay owned by the segment; the index keeps a pointer.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "engine/types/distance.h"

namespace quiver::engine {

struct HnswParams {
  uint32_t m = 16;
  uint32_t ef_construct = 100;
  uint64_t seed = 42;
  int threads = 1;
  // When set and it becomes true, Build stops early and returns nullptr (server shutdown).
  const std::atomic<bool>* cancel = nullptr;
  // When set, counts inserted nodes (progress reporting).
  std::atomic<uint64_t>* progress = nullptr;
};

class HnswIndex {
 public:
  // Builds over rows [0, n) of `data` (n × dim floats; Cosine rows already normalized). Rows with
  // present[i] == 0 are left out (present may be null: all rows). `data` must outlive the index.
  // nullptr only when params.cancel was raised.
  static std::unique_ptr<HnswIndex> Build(const float* data, const uint8_t* present, uint32_t n,
                                          uint32_t dim, Distance distance,
                                          const HnswParams& params);
  // A graph over rows [0, n) of `data` that starts from `base` (built over rows [0, base.size())
  // holding the same vectors) and inserts the present rows from base.size() on: the cost of a
  // merge is that of the new rows only. nullptr only when params.cancel was raised.
  static std::unique_ptr<HnswIndex> Extend(const HnswIndex& base, const float* data,
                                           const uint8_t* present, uint32_t n,
                                           const HnswParams& params);

  // Up to k (score, offset) pairs, best first by Qdrant's score semantics. Only offsets for which
  // `accept` returns true are returned (null: all); the graph is still traversed through others.
  // `ef` is the beam width (raised to k when smaller).
  // `seeds` are extra starting points on level 0 next to the greedy descent's (e.g. a sample of
  // the offsets a filter accepts: with a filter that excludes the query's own neighbourhood, the
  // walk then starts where matches are instead of crossing the graph to find them).
  // With `two_hop` (and `accept`), only accepted nodes are scored and walked: a rejected
  // neighbour contributes its own accepted neighbours instead (ACORN-1). For restrictive filters:
  // the plain walk scores every rejected node closer than the matches it looks for.
  std::vector<std::pair<float, uint32_t>> Search(const float* query, size_t k, size_t ef,
                                                 const std::function<bool(uint32_t)>* accept,
                                                 std::span<const uint32_t> seeds = {},
                                                 bool two_hop = false) const;

  // Search with another distance (e.g. over quantized codes): `dist(node)` is an internal
  // distance, lower is closer. Returns up to k (distance, offset) pairs, closest first. `seeds`
  // and `two_hop` as for Search.
  std::vector<std::pair<float, uint32_t>> SearchWith(const std::function<float(uint32_t)>& dist,
                                                     size_t k, size_t ef,
                                                     const std::function<bool(uint32_t)>* accept,
                                                     std::span<const uint32_t> seeds = {},
                                                     bool two_hop = false) const;

  uint32_t size() const { return n_; }
  uint32_t indexed_count() const { return indexed_; }
  const HnswParams& params() const { return params_; }

  // Serialized graph. Deserialize checks structure (every link in range) and returns Corruption
  // otherwise; `data` is the segment's vectors as for Build.
  std::string Serialize() const;
  static base::Result<std::unique_ptr<HnswIndex>> Deserialize(std::string_view bytes,
                                                              const float* data, uint32_t n,
                                                              uint32_t dim, Distance distance);

 private:
  HnswIndex() = default;
  // Internal distance: lower is closer (negated dot for Cosine/Dot).
  float Dist(const float* a, const float* b) const;
  float DistTo(const float* q, uint32_t node) const { return Dist(q, data_ + size_t(node) * dim_); }
  struct FloatDist;
  struct FnDist;
  void Insert(uint32_t node, int level);
  // Draws levels for `nodes` and inserts them with params_.threads threads; false when cancelled.
  bool InsertAll(const std::vector<uint32_t>& nodes, uint64_t seed);
  struct Cand {
    float dist;
    uint32_t id;
    bool operator<(const Cand& o) const { return dist < o.dist; }
    bool operator>(const Cand& o) const { return dist > o.dist; }
  };
  std::vector<Cand> SearchLayer(const float* q, uint32_t entry, size_t ef, int level,
                                const std::function<bool(uint32_t)>* accept) const;
  template <class DistFn>
  std::vector<Cand> SearchLayerWith(const DistFn& dist, uint32_t entry, size_t ef, int level,
                                    const std::function<bool(uint32_t)>* accept,
                                    std::span<const uint32_t> seeds = {},
                                    bool two_hop = false) const;
  template <class DistFn>
  uint32_t GreedyDescend(const DistFn& dist) const;
  void SelectNeighbors(std::vector<Cand>& cands, size_t m) const;
  uint32_t* Links(uint32_t node, int level);
  const uint32_t* Links(uint32_t node, int level) const;
  template <typename D>
  std::vector<uint32_t> ClosestSeeds(const D& dist, std::span<const uint32_t> seeds) const;
  size_t MaxLinks(int level) const { return level == 0 ? 2 * params_.m : params_.m; }

  const float* data_ = nullptr;
  uint32_t n_ = 0;
  uint32_t dim_ = 0;
  uint32_t indexed_ = 0;
  Distance distance_ = Distance::kCosine;
  HnswParams params_;
  std::vector<int8_t> levels_;  // -1 = not in the graph
  // Level 0: per node [count, links × 2m]; upper levels: per node a block per level ≥ 1.
  std::vector<uint32_t> links0_;
  std::vector<std::vector<uint32_t>> upper_;  // per node: levels × [count, links × m]
  uint32_t entry_ = 0;
  int max_level_ = -1;
  struct Locks;
  std::shared_ptr<Locks> locks_;  // only during Build
};

}  // namespace quiver::engine
