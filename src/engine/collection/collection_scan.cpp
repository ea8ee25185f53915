// Custom scans of Collection: scoring with an arbitrary scorer (recommend strategies, discovery,
// rescoring of prefetched candidates), random samples and facet counts. All exact, under the
// shared lock.
#include <algorithm>
#include <map>
#include <random>

#include "engine/collection/collection.h"
#include "engine/payload/payload_path.h"

namespace quiver::engine {
namespace {

// Keeps the best `k` (highest score, ties by lower id).
class BestK {
 public:
  explicit BestK(size_t k) : k_(k) {}
  void Push(const PointId& id, float score) {
    if (k_ == 0) return;
    if (heap_.size() == k_ && !Better({id, score}, heap_.front())) return;
    heap_.push_back({id, score});
    std::push_heap(heap_.begin(), heap_.end(), Better);
    if (heap_.size() > k_) {
      std::pop_heap(heap_.begin(), heap_.end(), Better);
      heap_.pop_back();
    }
  }
  std::vector<ScoredId> Take() {
    std::sort(heap_.begin(), heap_.end(), Better);
    return std::move(heap_);
  }

 private:
  // "a ranks before b"; as a heap comparator it keeps the worst kept element at the front.
  static bool Better(const ScoredId& a, const ScoredId& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.id < b.id;
  }
  size_t k_;
  std::vector<ScoredId> heap_;
};

// Orders facet values: booleans, then integers, then strings, each by value.
struct FacetValueLess {
  static int Rank(const Value& v) { return v.is_bool() ? 0 : v.is_int() ? 1 : 2; }
  bool operator()(const Value& a, const Value& b) const {
    if (Rank(a) != Rank(b)) return Rank(a) < Rank(b);
    if (a.is_bool()) return a.as_bool() < b.as_bool();
    if (a.is_int()) return a.as_int() < b.as_int();
    return a.as_string() < b.as_string();
  }
};

bool Excluded(const std::vector<PointId>& sorted_exclude, const PointId& id) {
  return std::binary_search(sorted_exclude.begin(), sorted_exclude.end(), id);
}

}  // namespace

base::Result<std::vector<ScoredId>> Collection::ScoreByVector(
    const std::string& name, const std::optional<Filter>& filter, const std::vector<PointId>* ids,
    const std::vector<PointId>& exclude, const VectorScorer& scorer, size_t limit) const {
  std::shared_lock lock(mu_);
  if (config_.vectors.find(name) == config_.vectors.end()) {
    if (name.empty()) {
      return base::Status::BadInput("Vector with name `` is not found in the collection");
    }
    return base::Status::BadInput("Not existing vector name error: " + name);
  }
  std::vector<PointId> skip = exclude;
  std::sort(skip.begin(), skip.end());
  BestK best(limit);
  auto consider = [&](const PointId& id, const Location& loc) {
    if (Excluded(skip, id)) return;
    if (filter && !MatchesFilter(*filter, loc)) return;
    const float* v = loc.segment->VectorAt(loc.offset, name);
    if (!v) return;
    best.Push(id, scorer(v));
  };
  if (ids) {
    for (const auto& id : *ids) {
      if (auto loc = Find(id)) consider(id, *loc);
    }
  } else {
    for (const auto& [id, loc] : index_) consider(id, loc);
  }
  return best.Take();
}

std::vector<PointId> Collection::SamplePoints(const std::optional<Filter>& filter,
                                              const std::vector<PointId>* ids, size_t limit) const {
  std::shared_lock lock(mu_);
  std::vector<PointId> matches;
  auto consider = [&](const PointId& id, const Location& loc) {
    if (!filter || MatchesFilter(*filter, loc)) matches.push_back(id);
  };
  if (ids) {
    for (const auto& id : *ids) {
      if (auto loc = Find(id)) consider(id, *loc);
    }
  } else {
    for (const auto& [id, loc] : index_) consider(id, loc);
  }
  thread_local std::mt19937_64 rng{std::random_device{}()};
  size_t k = std::min(limit, matches.size());
  // Partial Fisher-Yates: the first k elements become a uniform random sample in random order.
  for (size_t i = 0; i < k; ++i) {
    std::uniform_int_distribution<size_t> pick(i, matches.size() - 1);
    std::swap(matches[i], matches[pick(rng)]);
  }
  matches.resize(k);
  return matches;
}

base::Result<std::vector<FacetHit>> Collection::Facet(const std::string& key,
                                                      const std::optional<Filter>& filter,
                                                      size_t limit) const {
  std::shared_lock lock(mu_);
  auto idx = payload_indexes_.find(key);
  const bool facetable = idx != payload_indexes_.end() &&
                         (idx->second.type == "keyword" || idx->second.type == "integer" ||
                          idx->second.type == "bool" || idx->second.type == "uuid");
  if (!facetable) {
    return base::Status::BadRequest("Index required but not found for \"" + key +
                                    "\" of one of the following types: [keyword, integer, bool, "
                                    "uuid]. Help: Create an index for this key.");
  }
  auto path = ParsePath(key);
  if (!path.ok()) return path.status();
  // Counts points, not values: a point whose array holds a value twice counts once for it.
  std::map<Value, uint64_t, FacetValueLess> counts;
  for (const auto& [id, loc] : index_) {
    if (filter && !MatchesFilter(*filter, loc)) continue;
    std::vector<Value> seen;
    Value scratch;
    const Value& payload = loc.segment->PayloadRef(loc.offset, scratch);
    for (const Value* v : ValuesAt(payload, path.value())) {
      if (!(v->is_string() || v->is_int() || v->is_bool())) continue;
      if (std::find(seen.begin(), seen.end(), *v) != seen.end()) continue;
      seen.push_back(*v);
      ++counts[*v];
    }
  }
  std::vector<FacetHit> hits;
  for (auto& [value, count] : counts) hits.push_back({value, count});
  std::stable_sort(hits.begin(), hits.end(),
                   [](const FacetHit& a, const FacetHit& b) { return a.count > b.count; });
  if (hits.size() > limit) hits.resize(limit);
  return hits;
}

}  // namespace quiver::engine
