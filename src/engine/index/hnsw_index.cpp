#include "engine/index/hnsw_index.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <queue>
#include <random>
#include <thread>

#include "base/byte_io.h"
#include "base/crc32c.h"
#include "base/huge_pages.h"
#include "engine/index/distance_kernels.h"

namespace quiver::engine {

struct HnswIndex::Locks {
  explicit Locks(uint32_t n) : node(n) {}
  std::vector<std::mutex> node;
  std::mutex global;
};

namespace {

// Per-thread visited marks with an epoch, so a search clears nothing (one byte per node, so that
// the marks of a large segment stay in the core's cache; they are cleared every 255 searches).
class Visited {
 public:
  void Reset(uint32_t n) {
    if (marks_.size() < n) marks_.assign(n, 0);
    if (++epoch_ == 0) {
      std::fill(marks_.begin(), marks_.end(), 0);
      epoch_ = 1;
    }
  }
  bool TestAndSet(uint32_t i) {
    if (marks_[i] == epoch_) return true;
    marks_[i] = epoch_;
    return false;
  }

 private:
  std::vector<uint8_t> marks_;
  uint8_t epoch_ = 0;
};

thread_local Visited tls_visited;

// How much of each neighbour's row is prefetched before distances are computed: the first four
// cache lines (the hardware prefetcher streams the rest). 64, 128, 256, 512 and the whole 1.5 KB
// row were tried with bench/search/index_bench.cpp at 250k x 384; 128-256 was best.
constexpr size_t kPrefetchBytes = 256;

}  // namespace

float HnswIndex::Dist(const float* a, const float* b) const {
  switch (distance_) {
    case Distance::kCosine:
    case Distance::kDot:
      return -DotProduct(a, b, dim_);
    case Distance::kEuclid:
      return SquaredL2(a, b, dim_);
    case Distance::kManhattan:
      return L1Distance(a, b, dim_);
  }
  return 0;
}

uint32_t* HnswIndex::Links(uint32_t node, int level) {
  if (level == 0) return links0_.data() + size_t(node) * (2 * params_.m + 1);
  return upper_[node].data() + size_t(level - 1) * (params_.m + 1);
}

const uint32_t* HnswIndex::Links(uint32_t node, int level) const {
  return const_cast<HnswIndex*>(this)->Links(node, level);
}

// Distance from a float query to graph nodes, with a prefetch of a node's row.
struct HnswIndex::FloatDist {
  const HnswIndex* index;
  const float* q;
  float operator()(uint32_t node) const { return index->DistTo(q, node); }
  void Prefetch(uint32_t node) const {
    const char* row = reinterpret_cast<const char*>(index->data_ + size_t(node) * index->dim_);
    const size_t bytes = size_t(index->dim_) * sizeof(float);
    for (size_t off = 0; off < bytes && off < kPrefetchBytes; off += 64) {
      __builtin_prefetch(row + off, 0, 3);
    }
  }
};

// Any distance function (quantized codes); nothing to prefetch.
struct HnswIndex::FnDist {
  const std::function<float(uint32_t)>& fn;
  float operator()(uint32_t node) const { return fn(node); }
  void Prefetch(uint32_t) const {}
};

std::vector<HnswIndex::Cand> HnswIndex::SearchLayer(
    const float* q, uint32_t entry, size_t ef, int level,
    const std::function<bool(uint32_t)>* accept) const {
  return SearchLayerWith(FloatDist{this, q}, entry, ef, level, accept);
}

template <class DistFn>
std::vector<HnswIndex::Cand> HnswIndex::SearchLayerWith(const DistFn& dist, uint32_t entry,
                                                        size_t ef, int level,
                                                        const std::function<bool(uint32_t)>* accept,
                                                        std::span<const uint32_t> seeds,
                                                        bool two_hop) const {
  two_hop = two_hop && accept && !locks_;
  Visited& visited = tls_visited;
  visited.Reset(n_);
  // candidates: closest first; results: farthest first.
  std::priority_queue<Cand, std::vector<Cand>, std::greater<>> candidates;
  std::priority_queue<Cand> results;
  auto start = [&](uint32_t node) {
    if (node >= n_ || levels_[node] < level || visited.TestAndSet(node)) return;
    const float d = dist(node);
    candidates.push({d, node});
    if (!accept || (*accept)(node)) {
      results.push({d, node});
      if (results.size() > ef) results.pop();
    }
  };
  start(entry);
  for (uint32_t s : seeds) start(s);
  float bound = results.empty() ? INFINITY : results.top().dist;
  const size_t max_links = MaxLinks(level);
  std::vector<uint32_t> copy(max_links + 1);
  const size_t cap = max_links;  // 2x and 4x were tried: no change in recall
  std::vector<uint32_t> fresh(cap);
  while (!candidates.empty()) {
    Cand c = candidates.top();
    if (c.dist > bound && results.size() >= ef) break;
    candidates.pop();
    // The next node to expand is most likely the closest candidate left: fetch its links now.
    if (!candidates.empty()) __builtin_prefetch(Links(candidates.top().id, level), 0, 3);
    const uint32_t* links;
    if (locks_) {
      std::lock_guard lock(locks_->node[c.id]);
      const uint32_t* src = Links(c.id, level);
      std::copy(src, src + src[0] + 1, copy.begin());
      links = copy.data();
    } else {
      links = Links(c.id, level);
    }
    // The unvisited neighbours first, their vectors prefetched, then their distances: the loads
    // of one row overlap the arithmetic on the previous ones.
    const uint32_t count = std::min<uint32_t>(links[0], uint32_t(max_links));
    size_t todo = 0;
    if (two_hop) {
      // Only matches are scored and walked; a neighbour the filter rejects lends its own
      // neighbours that match instead (up to max_links new nodes per expansion, as ACORN-1).
      for (uint32_t i = 1; i <= count && todo < cap; ++i) {
        const uint32_t nb = links[i];
        if (visited.TestAndSet(nb)) continue;
        if ((*accept)(nb)) {
          fresh[todo++] = nb;
          continue;
        }
        const uint32_t* hop = Links(nb, level);
        const uint32_t hop_count = std::min<uint32_t>(hop[0], uint32_t(max_links));
        for (uint32_t j = 1; j <= hop_count && todo < cap; ++j) {
          const uint32_t nb2 = hop[j];
          if ((*accept)(nb2) && !visited.TestAndSet(nb2)) fresh[todo++] = nb2;
        }
      }
    } else {
      for (uint32_t i = 1; i <= count; ++i) {
        if (!visited.TestAndSet(links[i])) fresh[todo++] = links[i];
      }
    }
    for (size_t i = 0; i < todo; ++i) dist.Prefetch(fresh[i]);
    for (size_t i = 0; i < todo; ++i) {
      const uint32_t nb = fresh[i];
      float dn = dist(nb);
      if (results.size() < ef || dn < bound) {
        candidates.push({dn, nb});
        if (!accept || (*accept)(nb)) {
          results.push({dn, nb});
          if (results.size() > ef) results.pop();
        }
        if (!results.empty()) bound = results.top().dist;
      }
    }
  }
  std::vector<Cand> out(results.size());
  for (size_t i = out.size(); i-- > 0;) {
    out[i] = results.top();
    results.pop();
  }
  return out;  // closest first
}

// hnswlib's heuristic: keep a candidate only if it is closer to the query than to every kept one.
void HnswIndex::SelectNeighbors(std::vector<Cand>& cands, size_t m) const {
  if (cands.size() <= m) return;
  std::sort(cands.begin(), cands.end());
  std::vector<Cand> kept;
  kept.reserve(m);
  for (const Cand& c : cands) {
    if (kept.size() >= m) break;
    const float* cv = data_ + size_t(c.id) * dim_;
    bool good = true;
    for (const Cand& k : kept) {
      if (Dist(cv, data_ + size_t(k.id) * dim_) < c.dist) {
        good = false;
        break;
      }
    }
    if (good) kept.push_back(c);
  }
  cands = std::move(kept);
}

void HnswIndex::Insert(uint32_t node, int level) {
  std::unique_lock global(locks_->global);
  int max_level = max_level_;
  uint32_t entry = entry_;
  if (max_level < 0) {  // the first node
    entry_ = node;
    max_level_ = level;
    return;
  }
  if (level <= max_level) global.unlock();
  const float* q = data_ + size_t(node) * dim_;
  uint32_t cur = entry;
  float cur_d = DistTo(q, cur);
  std::vector<uint32_t> copy(2 * params_.m + 1);
  for (int l = max_level; l > level; --l) {
    bool changed = true;
    while (changed) {
      changed = false;
      {
        std::lock_guard lock(locks_->node[cur]);
        const uint32_t* src = Links(cur, l);
        std::copy(src, src + src[0] + 1, copy.begin());
      }
      for (uint32_t i = 1; i <= copy[0]; ++i) {
        float d = DistTo(q, copy[i]);
        if (d < cur_d) {
          cur_d = d;
          cur = copy[i];
          changed = true;
        }
      }
    }
  }
  for (int l = std::min(level, max_level); l >= 0; --l) {
    std::vector<Cand> w = SearchLayer(q, cur, params_.ef_construct, l, nullptr);
    cur = w.front().id;
    SelectNeighbors(w, params_.m);
    {
      std::lock_guard lock(locks_->node[node]);
      uint32_t* links = Links(node, l);
      links[0] = static_cast<uint32_t>(w.size());
      for (size_t i = 0; i < w.size(); ++i) links[i + 1] = w[i].id;
    }
    const size_t max_links = MaxLinks(l);
    for (const Cand& c : w) {
      std::lock_guard lock(locks_->node[c.id]);
      uint32_t* links = Links(c.id, l);
      if (links[0] < max_links) {
        links[++links[0]] = node;
        continue;
      }
      // Full: re-select among the old links and the new node.
      const float* base = data_ + size_t(c.id) * dim_;
      for (uint32_t i = 1; i <= links[0]; ++i) FloatDist{this, q}.Prefetch(links[i]);
      std::vector<Cand> all;
      all.reserve(links[0] + 1);
      all.push_back({Dist(base, q), node});
      for (uint32_t i = 1; i <= links[0]; ++i) {
        all.push_back({Dist(base, data_ + size_t(links[i]) * dim_), links[i]});
      }
      SelectNeighbors(all, max_links);
      links[0] = static_cast<uint32_t>(all.size());
      for (size_t i = 0; i < all.size(); ++i) links[i + 1] = all[i].id;
    }
  }
  if (level > max_level) {  // still holding the global lock
    entry_ = node;
    max_level_ = level;
  }
}

bool HnswIndex::InsertAll(const std::vector<uint32_t>& nodes, uint64_t seed) {
  const uint32_t m = params_.m;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(std::nextafter(0.0, 1.0), 1.0);
  const double ml = 1.0 / std::log(double(m));
  for (uint32_t i : nodes) {
    int level = std::min(30, static_cast<int>(-std::log(uniform(rng)) * ml));
    levels_[i] = static_cast<int8_t>(level);
    if (level > 0) upper_[i].assign(size_t(level) * (m + 1), 0);
  }
  indexed_ += static_cast<uint32_t>(nodes.size());
  if (nodes.empty()) return true;
  locks_ = std::make_shared<Locks>(n_);
  size_t first = 0;
  if (max_level_ < 0) Insert(nodes[first++], levels_[nodes[0]]);
  std::atomic<size_t> next{first};
  const std::atomic<bool>* cancel = params_.cancel;
  auto worker = [&] {
    for (size_t i = next++; i < nodes.size(); i = next++) {
      if (cancel && cancel->load(std::memory_order_relaxed)) return;
      Insert(nodes[i], levels_[nodes[i]]);
      if (params_.progress) params_.progress->fetch_add(1, std::memory_order_relaxed);
    }
  };
  int threads = std::max(1, params_.threads);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  locks_.reset();
  return !(cancel && cancel->load());
}

std::unique_ptr<HnswIndex> HnswIndex::Build(const float* data, const uint8_t* present, uint32_t n,
                                            uint32_t dim, Distance distance,
                                            const HnswParams& params) {
  std::unique_ptr<HnswIndex> idx(new HnswIndex());
  idx->data_ = data;
  idx->n_ = n;
  idx->dim_ = dim;
  idx->distance_ = distance;
  idx->params_ = params;
  idx->params_.m = std::max<uint32_t>(params.m, 2);
  const uint32_t m = idx->params_.m;
  idx->levels_.assign(n, -1);
  idx->links0_.assign(size_t(n) * (2 * m + 1), 0);
  base::UseHugePages(idx->links0_.data(), idx->links0_.size() * sizeof(uint32_t));
  idx->upper_.resize(n);
  std::vector<uint32_t> order;
  for (uint32_t i = 0; i < n; ++i) {
    if (!present || present[i]) order.push_back(i);
  }
  if (!idx->InsertAll(order, params.seed)) return nullptr;
  return idx;
}

std::unique_ptr<HnswIndex> HnswIndex::Extend(const HnswIndex& base, const float* data,
                                             const uint8_t* present, uint32_t n,
                                             const HnswParams& params) {
  std::unique_ptr<HnswIndex> idx(new HnswIndex());
  idx->data_ = data;
  idx->n_ = std::max(n, base.n_);
  idx->dim_ = base.dim_;
  idx->distance_ = base.distance_;
  idx->params_ = params;
  idx->params_.m = base.params_.m;  // the copied link blocks have base's layout
  idx->params_.ef_construct = std::max<uint32_t>(params.ef_construct, 4);
  const uint32_t m = idx->params_.m;
  idx->levels_ = base.levels_;
  idx->levels_.resize(idx->n_, -1);
  idx->links0_ = base.links0_;
  idx->links0_.resize(size_t(idx->n_) * (2 * m + 1), 0);
  base::UseHugePages(idx->links0_.data(), idx->links0_.size() * sizeof(uint32_t));
  idx->upper_ = base.upper_;
  idx->upper_.resize(idx->n_);
  idx->entry_ = base.entry_;
  idx->max_level_ = base.max_level_;
  idx->indexed_ = base.indexed_;
  std::vector<uint32_t> order;
  for (uint32_t i = base.n_; i < idx->n_; ++i) {
    if (!present || present[i]) order.push_back(i);
  }
  if (!idx->InsertAll(order, params.seed ^ base.n_)) return nullptr;
  return idx;
}

template <class DistFn>
uint32_t HnswIndex::GreedyDescend(const DistFn& dist) const {
  uint32_t cur = entry_;
  float cur_d = dist(cur);
  for (int l = max_level_; l > 0; --l) {
    bool changed = true;
    while (changed) {
      changed = false;
      const uint32_t* links = Links(cur, l);
      for (uint32_t i = 1; i <= links[0]; ++i) {
        float d = dist(links[i]);
        if (d < cur_d) {
          cur_d = d;
          cur = links[i];
          changed = true;
        }
      }
    }
  }
  return cur;
}

// Only the closest few seeds start the walk: expanding every sampled one would cost more than the
// search it shortens. Empty when there are at most that many (they are used as they are).
template <typename D>
std::vector<uint32_t> HnswIndex::ClosestSeeds(const D& dist,
                                              std::span<const uint32_t> seeds) const {
  constexpr size_t kMaxSeeds = 16;
  std::vector<uint32_t> closest;
  if (seeds.size() <= kMaxSeeds) return closest;
  std::vector<Cand> scored;
  scored.reserve(seeds.size());
  for (uint32_t s : seeds) {
    if (s < n_ && levels_[s] >= 0) scored.push_back({dist(s), s});
  }
  const size_t keep = std::min(kMaxSeeds, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + keep, scored.end());
  for (size_t i = 0; i < keep; ++i) closest.push_back(scored[i].id);
  return closest;
}

std::vector<std::pair<float, uint32_t>> HnswIndex::Search(
    const float* query, size_t k, size_t ef, const std::function<bool(uint32_t)>* accept,
    std::span<const uint32_t> seeds, bool two_hop) const {
  std::vector<std::pair<float, uint32_t>> out;
  if (max_level_ < 0 || k == 0) return out;
  FloatDist dist{this, query};
  std::vector<uint32_t> closest = ClosestSeeds(dist, seeds);
  if (!closest.empty()) seeds = closest;
  std::vector<Cand> found =
      SearchLayerWith(dist, GreedyDescend(dist), std::max(ef, k), 0, accept, seeds, two_hop);
  for (size_t i = 0; i < found.size() && out.size() < k; ++i) {
    float d = found[i].dist;
    float score = d;
    if (distance_ == Distance::kCosine || distance_ == Distance::kDot) score = -d;
    if (distance_ == Distance::kEuclid) score = std::sqrt(std::max(0.0f, d));
    out.emplace_back(score, found[i].id);
  }
  return out;
}

std::vector<std::pair<float, uint32_t>> HnswIndex::SearchWith(
    const std::function<float(uint32_t)>& dist, size_t k, size_t ef,
    const std::function<bool(uint32_t)>* accept, std::span<const uint32_t> seeds,
    bool two_hop) const {
  std::vector<std::pair<float, uint32_t>> out;
  if (max_level_ < 0 || k == 0) return out;
  FnDist fn{dist};
  std::vector<uint32_t> closest = ClosestSeeds(fn, seeds);
  if (!closest.empty()) seeds = closest;
  std::vector<Cand> found =
      SearchLayerWith(fn, GreedyDescend(fn), std::max(ef, k), 0, accept, seeds, two_hop);
  for (size_t i = 0; i < found.size() && out.size() < k; ++i) {
    out.emplace_back(found[i].dist, found[i].id);
  }
  return out;
}

}  // namespace quiver::engine
