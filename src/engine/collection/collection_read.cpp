// Read paths of Collection: retrieve, exact search, scroll, count, info.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <span>

#include "base/work_pool.h"
#include "engine/collection/collection.h"
#include "engine/filter/filter_matcher.h"
#include "engine/index/distance_kernels.h"
#include "engine/index/exact_search.h"
#include "engine/payload/payload_path.h"

namespace quiver::engine {
namespace {

// How many matches of a restrictive filter are sampled as seeds for the graph walk (the closest
// few of them start it; HnswIndex::Search). 128, 512 and 1,024 were tried on 250k x 384 with a
// 10% filter tied to the clusters (bench/search/index_bench.cpp): recall 0.886 / 0.910 / 0.925
// at ef 128 with the two-hop walk, for 128 / 512 / 1,024 more distances per query.
constexpr size_t kFilterSeedSample = 512;
// Selectivities at which the graph walk goes two hops through rejected nodes (HnswIndex::Search):
// at 10% it was 2.3x (uncorrelated) to 7x (tied to the clusters) faster than the plain filtered
// walk; at 25% the same; at 3% its recall fell to 0.78-0.89 (the planner scores such filters
// exactly unless the segment is very large).
constexpr double kTwoHopMin = 0.08;
constexpr double kTwoHopMax = 0.3;

Value SelectPayload(const Value& payload, const PayloadSelector& sel) {
  Value empty{Object{}};
  const Value& src = payload.is_object() ? payload : empty;
  switch (sel.mode) {
    case PayloadSelector::Mode::kNone:
      return {};
    case PayloadSelector::Mode::kAll:
      return src;
    case PayloadSelector::Mode::kExclude: {
      Value out = src;
      for (const auto& k : sel.keys) {
        auto path = ParsePath(k);
        if (path.ok()) DeletePayloadKey(out, path.value());
      }
      return out;
    }
    case PayloadSelector::Mode::kInclude: {
      Value out{Object{}};
      for (const auto& k : sel.keys) {
        auto path = ParsePath(k);
        if (!path.ok()) continue;
        // Keys made only of object steps are copied with their nesting; others by top-level key.
        const Value* cur = &src;
        bool plain = true;
        for (const auto& step : path.value()) {
          if (step.kind != PathStep::Kind::kKey) {
            plain = false;
            break;
          }
          cur = cur->Find(step.key);
          if (!cur) break;
        }
        if (!plain) {
          if (const Value* top = src.Find(path.value().front().key)) {
            out.Set(path.value().front().key, *top);
          }
          continue;
        }
        if (!cur) continue;
        Value* dst = &out;
        const auto& steps = path.value();
        for (size_t i = 0; i + 1 < steps.size(); ++i) {
          Value* next = dst->Find(steps[i].key);
          if (!next || !next->is_object()) {
            dst->Set(steps[i].key, Value(Object{}));
            next = dst->Find(steps[i].key);
          }
          dst = next;
        }
        dst->Set(steps.back().key, *cur);
      }
      return out;
    }
  }
  return {};
}

// The numeric ordering value of a payload field (first number; datetimes as microseconds).
std::optional<double> OrderValue(const Value& payload, const std::vector<PathStep>& path,
                                 bool descending) {
  std::optional<double> best;
  for (const Value* v : ValuesAt(payload, path)) {
    std::optional<double> x;
    if (v->is_number()) {
      x = v->as_double();
    } else if (v->is_string()) {
      if (auto micros = ParseDatetimeMicros(v->as_string())) x = double(*micros);
    }
    if (!x) continue;
    if (!best || (descending ? *x > *best : *x < *best)) best = x;
  }
  return best;
}

}  // namespace

Record Collection::MakeRecord(const Location& loc, const PayloadSelector& wp,
                              const VectorSelector& wv) const {
  const Segment& s = *loc.segment;
  Record r;
  r.id = s.IdAt(loc.offset);
  r.version = s.VersionAt(loc.offset);
  if (wp.mode != PayloadSelector::Mode::kNone) {
    Value scratch;
    r.payload = SelectPayload(s.PayloadRef(loc.offset, scratch), wp);
  }
  if (wv.all || !wv.names.empty()) {
    NamedVectors out;
    for (const auto& [name, spec] : s.specs()) {
      if (!wv.all && std::find(wv.names.begin(), wv.names.end(), name) == wv.names.end()) continue;
      // Read, not mapped, from a column on disk: scrolling with vectors leaves RSS as it was.
      std::vector<float> vec(spec.dim);
      const float* v = s.VectorInto(loc.offset, name, vec.data());
      if (!v) continue;
      if (v != vec.data()) vec.assign(v, v + spec.dim);
      out[name] = std::move(vec);
    }
    r.vectors = std::move(out);
  }
  return r;
}

base::Result<std::vector<Record>> Collection::Retrieve(const std::vector<PointId>& ids,
                                                       const PayloadSelector& with_payload,
                                                       const VectorSelector& with_vector) const {
  std::shared_lock lock(mu_);
  std::vector<Record> out;
  for (const auto& id : ids) {
    auto loc = Find(id);
    if (loc) out.push_back(MakeRecord(*loc, with_payload, with_vector));
  }
  return out;
}

base::Result<std::vector<float>> Collection::VectorOf(const PointId& id,
                                                      const std::string& name) const {
  std::shared_lock lock(mu_);
  auto loc = Find(id);
  if (!loc) return base::Status::NotFound("No point with id " + id.ToString() + " found");
  auto it = config_.vectors.find(name);
  if (it == config_.vectors.end()) {
    return base::Status::BadInput("Not existing vector name error: " + name);
  }
  const float* v = loc->segment->VectorAt(loc->offset, name);
  if (!v) {
    return base::Status::BadInput("Vector `" + name + "` of point " + id.ToString() +
                                  " is missing");
  }
  return std::vector<float>(v, v + it->second.size);
}

base::Result<std::vector<Record>> Collection::Search(const SearchRequest& req) const {
  std::shared_lock lock(mu_);
  auto it = config_.vectors.find(req.vector_name);
  if (it == config_.vectors.end()) {
    if (req.vector_name.empty()) {
      return base::Status::BadInput("Vector with name `` is not found in the collection");
    }
    return base::Status::BadInput("Not existing vector name error: " + req.vector_name);
  }
  const VectorParams& params = it->second;
  if (req.vector.size() != params.size) {
    return base::Status::BadInput(
        "Vector dimension error: expected dim: " + std::to_string(params.size) + ", got " +
        std::to_string(req.vector.size()));
  }
  std::vector<float> query = req.vector;
  if (params.distance == Distance::kCosine) Normalize(query.data(), query.size());
  TopK top(params.distance, req.limit + req.offset, req.score_threshold);
  std::vector<PointId> exclude = req.exclude_ids;
  std::sort(exclude.begin(), exclude.end());
  std::vector<const Segment*> live;
  for (const auto& seg : segments_) {
    if (seg->live_count() > 0) live.push_back(seg.get());
  }
  // Segments are searched in parallel (as Qdrant does) on the shared pool, each into its own
  // top-k; with every worker busy, this thread searches them all. Results merge by score, ties
  // by id, so the order of the work does not matter.
  std::vector<TopK> partial(live.size(),
                            TopK(params.distance, req.limit + req.offset, req.score_threshold));
  std::vector<char> used_graph(live.size(), 0);
  auto search_one = [&](size_t i) {
    used_graph[i] = SearchSegment(*live[i], req, query.data(), params, partial[i], exclude);
  };
  if (live.size() > 1 && segments_parallel_) {
    base::WorkPool::Shared().ParallelFor(live.size(), search_one);
  } else {
    for (size_t i = 0; i < live.size(); ++i) search_one(i);
  }
  for (size_t i = 0; i < live.size(); ++i) {
    for (const Candidate& c : partial[i].Take()) top.Push(c);
    if (used_graph[i] && req.stats) req.stats->used_graph = true;
  }
  std::vector<Candidate> best = top.Take();
  std::vector<Record> out;
  for (size_t i = req.offset; i < best.size(); ++i) {
    Location loc{const_cast<Segment*>(static_cast<const Segment*>(best[i].segment)),
                 best[i].offset};
    Record r = MakeRecord(loc, req.with_payload, req.with_vector);
    r.score = best[i].score;
    out.push_back(std::move(r));
  }
  return out;
}

// The query planner of one segment, as Qdrant's: a filter whose matches are fewer than
// full_scan_threshold (KB of vectors) is scored exactly over its matches; otherwise the HNSW graph
// is searched with the filter (and deletions) as a predicate over offsets. Segments without an
// index (the appendable one, small ones) and `exact` requests are scanned.
bool Collection::SearchSegment(const Segment& seg, const SearchRequest& req, const float* query,
                               const VectorParams& params, TopK& top,
                               const std::vector<PointId>& exclude) const {
  const uint32_t n = seg.size();
  const size_t dim = params.size;
  const std::string& name = req.vector_name;
  auto excluded = [&](uint32_t i) {
    return !exclude.empty() && std::binary_search(exclude.begin(), exclude.end(), seg.IdAt(i));
  };
  // Column pointers looked up once: per-row lookups by name cost more than a distance at 10%.
  const uint8_t* present = seg.RawPresence(name);
  const float* column = seg.RawColumn(name);
  if (!present || !column) return false;
  // The points matching the filter (ascending offsets), and as a mask for the graph search. A
  // filter that one field index answers exactly uses the index's own list (and mask), uncopied.
  std::vector<uint32_t> owned;
  std::span<const uint32_t> matches;
  std::vector<uint8_t> allowed;
  uint64_t allowed_count = 0;
  const std::vector<uint32_t>* indexed = req.filter ? seg.IndexedMatches(*req.filter) : nullptr;
  if (indexed) {
    matches = *indexed;
    allowed_count = matches.size();
    if (allowed_count == 0) return false;
  } else if (req.filter) {
    // Candidates from payload indexes when the filter's `must` has indexed fields (cardinality
    // without reading every payload); the whole filter is checked on each candidate unless the
    // indexes answered it exactly.
    bool exact_candidates = false;
    auto check = [&](uint32_t i) {
      if (seg.IsDeleted(i) || !present[i]) return;
      Segment::View view(seg, i);
      if (engine::MatchesFilter(*req.filter, view, &text_indexes_)) owned.push_back(i);
    };
    auto candidates = seg.IndexedCandidates(*req.filter, &exact_candidates);
    if (candidates && exact_candidates) {
      // The indexes answered exactly: take their list as it is (a 50% filter lists half the
      // segment, and a pass over it per query cost as much as the graph search). Deleted rows
      // and rows without this vector are skipped where the list is used.
      owned = std::move(*candidates);
    } else if (candidates) {
      owned.reserve(candidates->size());
      for (uint32_t i : *candidates) check(i);
    } else {
      for (uint32_t i = 0; i < n; ++i) check(i);
    }
    matches = owned;
    allowed_count = matches.size();
    if (allowed_count == 0) return false;
  }
  // Quantized copy (sealed segments with quantization configured): candidates are found over the
  // codes, limit × oversampling of them, then rescored with the original vectors (by default).
  const ScalarQuantized* quant = nullptr;
  if (!req.exact && !(req.quantization && req.quantization->ignore)) quant = seg.Quantized(name);
  const bool rescore = !req.quantization || req.quantization->rescore;
  const size_t k = req.limit + req.offset;
  const size_t k_quant = rescore && req.quantization
                             ? static_cast<size_t>(std::ceil(
                                   double(k) * std::max(1.0, req.quantization->oversampling)))
                             : k;
  std::optional<ScalarQuantized::Query> prepared;
  if (quant) prepared = quant->Prepare(query);
  // Rescoring reads a few rows: from a column on disk with positional reads into `row`, so that
  // the rows a query touches are not mapped into the process (its RSS stays the quantized copy).
  std::vector<float> row(seg.OnDisk(name) ? dim : 0);
  auto push_quantized = [&](uint32_t off) {
    float score;
    if (rescore) {
      const float* v = seg.VectorInto(off, name, row.data());
      if (!v) {  // an I/O error on the vector file: the point is left out, not misscored
        spdlog::error("collection {}: cannot read the vector file of segment {}", name_, seg.id());
        return;
      }
      score = Score(params.distance, query, v, dim);
    } else {
      score = quant->Score(*prepared, off);
    }
    top.Push({score, seg.IdAt(off), &seg, off});
  };
  const HnswIndex* index = req.exact ? nullptr : seg.Index(name);
  if (index) {
    HnswConfig h = config_.hnsw_config;
    if (params.hnsw_config && params.hnsw_config->full_scan_threshold) {
      h.full_scan_threshold = *params.hnsw_config->full_scan_threshold;
    }
    if (params.hnsw_config && params.hnsw_config->ef_construct) {
      h.ef_construct = *params.hnsw_config->ef_construct;
    }
    const uint64_t full_scan_points = h.full_scan_threshold * 1024 / (dim * sizeof(float));
    size_t ef = req.hnsw_ef ? *req.hnsw_ef : h.ef_construct;
    const size_t requested_ef = ef;  // before a filter widens the beam
    const uint64_t live = std::max<uint64_t>(seg.live_count(), 1);
    const double s = req.filter ? std::min(1.0, double(allowed_count) / double(live)) : 1.0;
    // A restrictive filter starves the graph search of matches (recall 0.88 at 10% selectivity and
    // ef = 64 on 1M points): the beam widens as the filter narrows, up to 4x; the two-hop walk,
    // whose nodes cost less but which navigates a sparser graph, widens by 0.5 / s (5x at 10%:
    // on a 500k segment with a 10% filter tied to the clusters it reached recall 0.90 at ef 286
    // and 0.956 at ef 572, where the plain walk reached 0.93 and 0.964 at 1/7 of its speed).
    const bool two_hop = req.filter && s >= kTwoHopMin && s < kTwoHopMax;
    if (two_hop) {
      ef = size_t(double(ef) * (0.5 / s));
    } else if (req.filter && s < 0.5) {
      ef = size_t(double(ef) * std::min(4.0, std::sqrt(0.5 / s)));
    }
    // Qdrant's rule (below full_scan_threshold → exact), plus a cost model for the rest: a graph
    // search that must find ef matches at selectivity s expands about ef / s nodes, each adding
    // about m new distances (neighbourhoods overlap), while scoring the c matches exactly costs c.
    // The two-hop walk scores only matches: about m per node it expands, ef nodes.
    const double graph_cost = double(ef) * index->params().m * (two_hop ? 1.0 : 1.0 / s);
    bool exact_cheaper =
        req.filter && (allowed_count < full_scan_points || double(allowed_count) < graph_cost);
    if (!exact_cheaper) {
      const uint8_t* mask = indexed ? seg.IndexedMask(*req.filter) : nullptr;
      if (req.filter && !mask) {
        allowed.assign(n, 0);
        for (uint32_t i : matches) allowed[i] = 1;
        mask = allowed.data();
      }
      std::function<bool(uint32_t)> accept = [&](uint32_t i) {
        if ((mask && !mask[i]) || seg.IsDeleted(i)) return false;
        return !excluded(i);
      };
      bool need_accept = req.filter || seg.deleted_count() > 0 || !exclude.empty();
      // A restrictive filter may exclude the query's whole neighbourhood (a category tied to the
      // clusters): the walk also starts from the closest of an even sample of the matches.
      std::vector<uint32_t> seeds;
      if (req.filter && s < 0.5) {
        const size_t want = std::min<size_t>(matches.size(), kFilterSeedSample);
        for (size_t j = 0; j < want; ++j) seeds.push_back(matches[j * matches.size() / want]);
      }
      if (quant) {
        std::function<float(uint32_t)> dist = [&](uint32_t node) {
          return quant->Dist(*prepared, node);
        };
        // Rescoring the whole beam (ef candidates, already found) costs ef float distances and
        // recovers most of what the codes misorder.
        // A beam widened for a filter is not rescored whole: its best `hnsw_ef` are (each row
        // rescored from a column on disk is a read).
        const size_t fetch = rescore ? std::max(std::min(ef, requested_ef), k_quant) : k_quant;
        for (const auto& [d, off] :
             index->SearchWith(dist, fetch, std::max(ef, fetch), need_accept ? &accept : nullptr,
                               seeds, two_hop)) {
          push_quantized(off);
        }
        return true;
      }
      for (const auto& [score, off] :
           index->Search(query, k, ef, need_accept ? &accept : nullptr, seeds, two_hop)) {
        top.Push({score, seg.IdAt(off), &seg, off});
      }
      return true;
    }
  }
  if (quant) {  // a scan over the codes, then the best k_quant rescored
    TopK candidates(params.distance, k_quant, std::nullopt);
    auto consider = [&](uint32_t i) {
      if (excluded(i)) return;
      float approx = quant->Score(*prepared, i);
      if (candidates.Admits(approx)) candidates.Push({approx, seg.IdAt(i), &seg, i});
    };
    if (req.filter) {
      for (uint32_t i : matches) {
        if (!seg.IsDeleted(i) && present[i]) consider(i);
      }
    } else {
      for (uint32_t i = 0; i < n; ++i) {
        if (!seg.IsDeleted(i) && present[i]) consider(i);
      }
    }
    for (const Candidate& c : candidates.Take()) push_quantized(c.offset);
    return false;
  }
  if (req.filter) {
    const size_t m = matches.size();
    const size_t row_bytes = dim * sizeof(float);
    for (size_t j = 0; j < m; ++j) {
      // The rows are scattered: fetch whole rows a few ahead while scoring this one.
      if (j + 4 < m) {
        const char* ahead = reinterpret_cast<const char*>(column + size_t(matches[j + 4]) * dim);
        for (size_t b = 0; b < row_bytes; b += 64) __builtin_prefetch(ahead + b);
      }
      const uint32_t i = matches[j];
      if (seg.IsDeleted(i) || !present[i] || excluded(i)) continue;
      float score = Score(params.distance, query, column + size_t(i) * dim, dim);
      if (top.Admits(score)) top.Push({score, seg.IdAt(i), &seg, i});
    }
    return false;
  }
  // Score blocks of contiguous rows with one kernel dispatch each. A column on disk is read block
  // by block (one pread each) rather than through the map: a full scan then leaves RSS as it was.
  constexpr uint32_t kBlock = 1024;
  float scores[kBlock];
  std::vector<float> block(seg.OnDisk(name) ? size_t(kBlock) * dim : 0);
  for (uint32_t start = 0; start < n; start += kBlock) {
    uint32_t count = std::min(kBlock, n - start);
    const float* rows = seg.RowsInto(name, start, count, block.data());
    if (!rows) {
      spdlog::error("collection {}: cannot read the vector file of segment {}", name_, seg.id());
      return false;
    }
    ScoreMany(params.distance, query, rows, count, dim, scores);
    for (uint32_t k = 0; k < count; ++k) {
      uint32_t i = start + k;
      if (!top.Admits(scores[k]) || seg.IsDeleted(i) || !present[i] || excluded(i)) {
        continue;
      }
      top.Push({scores[k], seg.IdAt(i), &seg, i});
    }
  }
  return false;
}

base::Result<ScrollResult> Collection::Scroll(const ScrollRequest& req) const {
  std::shared_lock lock(mu_);
  ScrollResult result;
  if (req.order_by) {
    auto path = ParsePath(req.order_by->key);
    if (!path.ok()) return path.status();
    auto idx = payload_indexes_.find(req.order_by->key);
    bool range_index = idx != payload_indexes_.end() &&
                       (idx->second.type == "integer" || idx->second.type == "float" ||
                        idx->second.type == "datetime");
    if (!range_index) {
      return base::Status::BadRequest(
          "No range index for `order_by` key: `" + req.order_by->key +
          "`. Please create one to use `order_by`. Check "
          "https://qdrant.tech/documentation/concepts/indexing/#payload-index to see which "
          "payload schemas support Range conditions");
    }
    struct Entry {
      double value;
      PointId id;
      Location loc;
    };
    std::vector<Entry> entries;
    const bool desc = req.order_by->descending;
    for (const auto& [id, loc] : index_) {
      if (req.filter && !MatchesFilter(*req.filter, loc)) continue;
      Value scratch;
      auto v = OrderValue(loc.segment->PayloadRef(loc.offset, scratch), path.value(), desc);
      if (!v) continue;
      if (req.order_by->start_from &&
          (desc ? *v > *req.order_by->start_from : *v < *req.order_by->start_from)) {
        continue;
      }
      entries.push_back({*v, id, loc});
    }
    auto cmp = [desc](const Entry& a, const Entry& b) {
      if (a.value != b.value) return desc ? a.value > b.value : a.value < b.value;
      return a.id < b.id;
    };
    size_t k = std::min(entries.size(), req.limit);
    std::partial_sort(entries.begin(), entries.begin() + k, entries.end(), cmp);
    for (size_t i = 0; i < k; ++i) {
      Record r = MakeRecord(entries[i].loc, req.with_payload, req.with_vector);
      double v = entries[i].value;
      r.order_value = (v == std::floor(v) && std::abs(v) < 9e15) ? Value(int64_t(v)) : Value(v);
      result.points.push_back(std::move(r));
    }
    return result;
  }
  std::vector<std::pair<PointId, Location>> matches;
  for (const auto& [id, loc] : index_) {
    if (req.offset && id < *req.offset) continue;
    if (req.filter && !MatchesFilter(*req.filter, loc)) continue;
    matches.emplace_back(id, loc);
  }
  size_t k = std::min(matches.size(), std::max(req.limit, req.limit + 1));  // limit may be max
  std::partial_sort(matches.begin(), matches.begin() + k, matches.end(),
                    [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < k && i < req.limit; ++i) {
    result.points.push_back(MakeRecord(matches[i].second, req.with_payload, req.with_vector));
  }
  if (k > req.limit) result.next_page_offset = matches[req.limit].first;
  return result;
}

base::Result<uint64_t> Collection::Count(const std::optional<Filter>& filter) const {
  std::shared_lock lock(mu_);
  if (!filter) return static_cast<uint64_t>(index_.size());
  uint64_t n = 0;
  for (const auto& [id, loc] : index_) n += MatchesFilter(*filter, loc) ? 1 : 0;
  return n;
}

CollectionInfo Collection::Info() const {
  std::shared_lock lock(mu_);
  CollectionInfo info;
  info.points_count = index_.size();
  for (const auto& seg : segments_) {
    for (const auto& [name, idx] : seg->indexes()) {
      info.indexed_vectors_count +=
          idx->indexed_count() - std::min(idx->indexed_count(), seg->deleted_count());
    }
  }
  info.segments_count = std::max<size_t>(segments_.size(), 1);
  info.config = config_;
  for (const auto& [field, params] : payload_indexes_) {
    PayloadFieldInfo fi;
    fi.params = params;
    auto path = ParsePath(field);
    if (path.ok()) {
      // Per segment (cached for sealed ones): this used to read every payload on each info call,
      // which took a core away from the optimizer while clients polled for `green`.
      for (const auto& seg : segments_) fi.points += seg->CountWithValue(field, path.value());
    }
    info.payload_schema[field] = std::move(fi);
  }
  std::lock_guard t(tracker_mu_);
  info.optimizer_error = optimizer_error_;
  return info;
}

}  // namespace quiver::engine
