#include "engine/collection/query.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "engine/index/distance_kernels.h"
#include "engine/payload/payload_path.h"

namespace quiver::engine {
namespace {

using base::Result;
using base::Status;

// One ranked result before its payload and vectors are read.
struct Hit {
  PointId id;
  float score = 0;
  std::optional<Value> order_value;
};

struct Ctx {
  const Collection& c;
  const LookupFn& lookup;
};

Result<std::vector<float>> Resolve(const Ctx& ctx, const QueryRequest& q, const VectorInput& in) {
  if (in.vector) return *in.vector;
  if (q.lookup_from) {
    if (!ctx.lookup) return Status::BadRequest("`lookup_from` is not available here");
    return ctx.lookup(*q.lookup_from, *in.id);
  }
  return ctx.c.VectorOf(*in.id, q.using_vector);
}

Result<const VectorParams*> ParamsOf(const Collection& c, const std::string& name,
                                     const CollectionConfig& config) {
  auto it = config.vectors.find(name);
  if (it == config.vectors.end()) {
    if (name.empty()) {
      return Status::BadInput("Vector with name `` is not found in the collection");
    }
    return Status::BadInput("Not existing vector name error: " + name);
  }
  (void)c;
  return &it->second;
}

Status CheckDim(const VectorParams& p, const std::vector<float>& v) {
  if (v.size() == p.size) return Status::Ok();
  return Status::BadInput("Vector dimension error: expected dim: " + std::to_string(p.size) +
                          ", got " + std::to_string(v.size()));
}

// Resolved example vectors, normalized for Cosine like the stored ones.
Result<std::vector<std::vector<float>>> ResolveAll(const Ctx& ctx, const QueryRequest& q,
                                                   const std::vector<VectorInput>& ins,
                                                   const VectorParams& p) {
  std::vector<std::vector<float>> out;
  for (const auto& in : ins) {
    auto v = Resolve(ctx, q, in);
    if (!v.ok()) return v.status();
    QUIVER_RETURN_IF_ERROR(CheckDim(p, v.value()));
    if (p.distance == Distance::kCosine) Normalize(v.value().data(), v.value().size());
    out.push_back(std::move(v.value()));
  }
  return out;
}

// Qdrant's fast sigmoid and its scaled form (range (0, 1)).
float FastSigmoid(float x) { return x / (1.0f + std::abs(x)); }
float ScaledFastSigmoid(float x) { return 0.5f * (FastSigmoid(x) + 1.0f); }

// The ids of the example points, which recommendations and discovery leave out of their results
// (unless they come from another collection).
std::vector<PointId> ExampleIds(const QueryRequest& q) {
  std::vector<PointId> ids;
  if (q.lookup_from) return ids;
  auto add = [&](const VectorInput& in) {
    if (in.id) ids.push_back(*in.id);
  };
  if (q.kind == QueryRequest::Kind::kNearest) add(q.nearest);
  for (const auto& in : q.positive) add(in);
  for (const auto& in : q.negative) add(in);
  if (q.kind == QueryRequest::Kind::kDiscover) add(q.target);
  for (const auto& pair : q.context) {
    add(pair.positive);
    add(pair.negative);
  }
  return ids;
}

std::vector<float> Average(const std::vector<std::vector<float>>& vs) {
  std::vector<float> sum(vs.front().size(), 0.0f);
  for (const auto& v : vs) {
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += v[i];
  }
  for (float& x : sum) x /= static_cast<float>(vs.size());
  return sum;
}

// The vector an average_vector recommendation searches with.
Result<std::vector<float>> RecommendVector(const Ctx& ctx, const QueryRequest& q,
                                           const VectorParams& p) {
  if (q.positive.empty()) {
    return Status::BadRequest("Recommend API requires at least one positive example");
  }
  auto pos = ResolveAll(ctx, q, q.positive, p);
  if (!pos.ok()) return pos.status();
  std::vector<float> avg = Average(pos.value());
  if (q.negative.empty()) return avg;
  auto neg = ResolveAll(ctx, q, q.negative, p);
  if (!neg.ok()) return neg.status();
  std::vector<float> avg_neg = Average(neg.value());
  for (size_t i = 0; i < avg.size(); ++i) avg[i] = avg[i] + avg[i] - avg_neg[i];
  return avg;
}

// A scorer for the custom queries (higher is better), over similarities as Qdrant computes them
// (Euclid and Manhattan as negative distances).
Result<Collection::VectorScorer> CustomScorer(const Ctx& ctx, const QueryRequest& q,
                                              const VectorParams& p) {
  const Distance d = p.distance;
  const size_t dim = p.size;
  auto sim = [d, dim](const std::vector<float>& a, const float* v) {
    float s = Score(d, a.data(), v, dim);
    return HigherIsBetter(d) ? s : -s;
  };
  if (q.kind == QueryRequest::Kind::kRecommend) {
    if (q.positive.empty() && q.negative.empty()) {
      return Status::BadRequest("Recommend API requires at least one positive or negative example");
    }
    auto pos = ResolveAll(ctx, q, q.positive, p);
    if (!pos.ok()) return pos.status();
    auto neg = ResolveAll(ctx, q, q.negative, p);
    if (!neg.ok()) return neg.status();
    if (q.strategy == QueryRequest::Strategy::kSumScores) {
      return Collection::VectorScorer([sim, pos = pos.value(), neg = neg.value()](const float* v) {
        float s = 0;
        for (const auto& e : pos) s += sim(e, v);
        for (const auto& e : neg) s -= sim(e, v);
        return s;
      });
    }
    return Collection::VectorScorer([sim, pos = pos.value(), neg = neg.value()](const float* v) {
      float best_pos = -INFINITY, best_neg = -INFINITY;
      for (const auto& e : pos) best_pos = std::max(best_pos, sim(e, v));
      for (const auto& e : neg) best_neg = std::max(best_neg, sim(e, v));
      return best_pos > best_neg ? ScaledFastSigmoid(best_pos) : -ScaledFastSigmoid(best_neg);
    });
  }
  std::vector<std::pair<std::vector<float>, std::vector<float>>> pairs;
  for (const auto& pair : q.context) {
    auto pv = ResolveAll(ctx, q, {pair.positive, pair.negative}, p);
    if (!pv.ok()) return pv.status();
    pairs.emplace_back(std::move(pv.value()[0]), std::move(pv.value()[1]));
  }
  if (q.kind == QueryRequest::Kind::kContext) {
    if (pairs.empty()) return Status::BadRequest("context query needs at least one pair");
    return Collection::VectorScorer([sim, pairs](const float* v) {
      float loss = 0;
      for (const auto& [pos, neg] : pairs) {
        float diff = sim(pos, v) - sim(neg, v) - std::numeric_limits<float>::epsilon();
        loss += FastSigmoid(std::min(diff, 0.0f));
      }
      return loss;
    });
  }
  auto target = ResolveAll(ctx, q, {q.target}, p);
  if (!target.ok()) return target.status();
  return Collection::VectorScorer([sim, pairs, t = target.value()[0]](const float* v) {
    int rank = 0;
    for (const auto& [pos, neg] : pairs) rank += sim(pos, v) > sim(neg, v) ? 1 : -1;
    return float(rank) + 0.5f * (FastSigmoid(sim(t, v)) + 1.0f);
  });
}

std::vector<Hit> FromScored(const std::vector<ScoredId>& scored) {
  std::vector<Hit> out;
  for (const auto& s : scored) out.push_back({s.id, s.score, std::nullopt});
  return out;
}

Filter HasIds(std::vector<PointId> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  Filter f;
  f.must.push_back(Condition{HasIdCondition{std::move(ids)}});
  return f;
}

// `a` AND `b` (either may be absent).
std::optional<Filter> Both(const std::optional<Filter>& a, const std::optional<Filter>& b) {
  if (!a) return b;
  if (!b) return a;
  Filter f;
  f.must.push_back(Condition{std::make_shared<Filter>(*a)});
  f.must.push_back(Condition{std::make_shared<Filter>(*b)});
  return f;
}

// Reciprocal rank fusion and distribution-based score fusion, as Qdrant's.
Result<std::vector<Hit>> Fuse(const QueryRequest& q, const std::vector<std::vector<Hit>>& lists) {
  std::unordered_map<PointId, float, PointIdHash> score;
  std::vector<PointId> order;  // first appearance, for stable ties
  auto add = [&](const PointId& id, float s) {
    auto [it, inserted] = score.emplace(id, 0.0f);
    if (inserted) order.push_back(id);
    it->second += s;
  };
  if (q.fusion == QueryRequest::Fusion::kRrf) {
    if (!q.rrf_weights.empty() && q.rrf_weights.size() != lists.size()) {
      return Status::Validation(
          "Number of weights in RRF should match number of pre-fetches: got " +
          std::to_string(q.rrf_weights.size()) + ", expected " + std::to_string(lists.size()));
    }
    for (size_t l = 0; l < lists.size(); ++l) {
      float w = q.rrf_weights.empty() ? 1.0f : q.rrf_weights[l];
      for (size_t pos = 0; pos < lists[l].size(); ++pos) {
        float s = w <= 0 ? 0.0f : 1.0f / (float(pos + 1) / w + float(q.rrf_k) - 1.0f);
        add(lists[l][pos].id, s);
      }
    }
  } else {
    for (const auto& list : lists) {
      if (list.size() == 1) add(list[0].id, 0.5f);
      if (list.size() < 2) continue;
      double mean = 0, m2 = 0;  // Welford
      for (size_t k = 0; k < list.size(); ++k) {
        double delta = list[k].score - mean;
        mean += delta / double(k + 1);
        m2 += delta * (list[k].score - mean);
      }
      double sd = std::sqrt(m2 / double(list.size() - 1));
      double lo = mean - 3 * sd, hi = mean + 3 * sd;
      for (const auto& h : list) add(h.id, lo == hi ? 0.5f : float((h.score - lo) / (hi - lo)));
    }
  }
  std::vector<Hit> out;
  for (const auto& id : order) out.push_back({id, score[id], std::nullopt});
  std::stable_sort(out.begin(), out.end(),
                   [](const Hit& a, const Hit& b) { return a.score > b.score; });
  return out;
}

// Qdrant's maximal marginal relevance: the best candidate first, then repeatedly the one with the
// best (1 - diversity) * relevance - diversity * (its highest similarity to one already chosen).
// Scores stay the candidates' own. `hits` are the nearest candidates, best first.
Result<std::vector<Hit>> ApplyMmr(const Ctx& ctx, const QueryRequest& q, std::vector<Hit> hits,
                                  size_t want) {
  const CollectionConfig config = ctx.c.config();
  auto params = ParamsOf(ctx.c, q.using_vector, config);
  if (!params.ok()) return params.status();
  const VectorParams& p = *params.value();
  std::vector<PointId> ids;
  for (const auto& h : hits) ids.push_back(h.id);
  auto records = ctx.c.Retrieve(ids, PayloadSelector{}, VectorSelector{false, {q.using_vector}});
  if (!records.ok()) return records.status();
  std::unordered_map<PointId, std::vector<float>, PointIdHash> vectors;
  for (auto& r : records.value()) {
    if (r.vectors && r.vectors->count(q.using_vector)) {
      vectors[r.id] = std::move((*r.vectors)[q.using_vector]);
    }
  }
  std::vector<Hit> cands;
  std::vector<const std::vector<float>*> vecs;
  for (const auto& h : hits) {
    auto it = vectors.find(h.id);
    if (it == vectors.end()) continue;  // deleted meanwhile
    cands.push_back(h);
    vecs.push_back(&it->second);
  }
  const bool higher = HigherIsBetter(p.distance);
  auto sim = [&](size_t a, size_t b) {
    float s = Score(p.distance, vecs[a]->data(), vecs[b]->data(), p.size);
    return higher ? s : -s;
  };
  const float lambda = 1.0f - q.mmr->diversity;
  std::vector<Hit> out;
  std::vector<size_t> chosen;
  std::vector<bool> taken(cands.size(), false);
  std::vector<float> max_sim(cands.size(), -INFINITY);
  while (out.size() < want && chosen.size() < cands.size()) {
    size_t best = cands.size();
    float best_score = -INFINITY;
    for (size_t i = 0; i < cands.size(); ++i) {
      if (taken[i]) continue;
      float relevance = higher ? cands[i].score : -cands[i].score;
      float s = chosen.empty() ? relevance : lambda * relevance - (1.0f - lambda) * max_sim[i];
      if (best == cands.size() || s > best_score) {
        best = i;
        best_score = s;
      }
    }
    taken[best] = true;
    chosen.push_back(best);
    out.push_back(cands[best]);
    for (size_t i = 0; i < cands.size(); ++i) {
      if (!taken[i]) max_sim[i] = std::max(max_sim[i], sim(i, best));
    }
  }
  return out;
}

Result<std::vector<Hit>> Execute(const Ctx& ctx, const QueryRequest& q,
                                 const std::optional<Filter>& inherited, bool root);

// The query over the points the prefetches found.
Result<std::vector<Hit>> OverPrefetch(const Ctx& ctx, const QueryRequest& q,
                                      const std::optional<Filter>& filter, size_t want) {
  std::vector<std::vector<Hit>> lists;
  std::vector<PointId> candidates;
  for (const auto& p : q.prefetch) {
    auto hits = Execute(ctx, p, filter, false);
    if (!hits.ok()) return hits.status();
    for (const auto& h : hits.value()) candidates.push_back(h.id);
    lists.push_back(std::move(hits.value()));
  }
  using Kind = QueryRequest::Kind;
  switch (q.kind) {
    case Kind::kFusion:
      return Fuse(q, lists);
    case Kind::kSample: {
      std::vector<Hit> out;
      for (const auto& id : ctx.c.SamplePoints(filter, &candidates, want))
        out.push_back(Hit{id, 0, std::nullopt});
      return out;
    }
    case Kind::kOrderBy: {
      ScrollRequest sr;
      sr.limit = want;
      sr.filter = Both(filter, HasIds(candidates));
      sr.order_by = q.order_by;
      auto page = ctx.c.Scroll(sr);
      if (!page.ok()) return page.status();
      std::vector<Hit> out;
      for (auto& r : page.value().points) out.push_back({r.id, 0.0f, r.order_value});
      return out;
    }
    default:
      break;
  }
  // A vector query rescoring the candidates exactly.
  const CollectionConfig config = ctx.c.config();
  auto params = ParamsOf(ctx.c, q.using_vector, config);
  if (!params.ok()) return params.status();
  const VectorParams& p = *params.value();
  Collection::VectorScorer scorer;
  bool negate = false;  // nearest with Euclid/Manhattan: scored as -distance, reported as distance
  if (q.kind == Kind::kNearest ||
      (q.kind == Kind::kRecommend && q.strategy == QueryRequest::Strategy::kAverageVector)) {
    auto v = q.kind == Kind::kNearest ? Resolve(ctx, q, q.nearest) : RecommendVector(ctx, q, p);
    if (!v.ok()) return v.status();
    QUIVER_RETURN_IF_ERROR(CheckDim(p, v.value()));
    std::vector<float> query = std::move(v.value());
    if (p.distance == Distance::kCosine) Normalize(query.data(), query.size());
    negate = !HigherIsBetter(p.distance);
    scorer = [query, d = p.distance, dim = p.size, negate](const float* x) {
      float s = Score(d, query.data(), x, dim);
      return negate ? -s : s;
    };
  } else {
    auto s = CustomScorer(ctx, q, p);
    if (!s.ok()) return s.status();
    scorer = std::move(s.value());
  }
  auto scored =
      ctx.c.ScoreByVector(q.using_vector, filter, &candidates, ExampleIds(q), scorer, want);
  if (!scored.ok()) return scored.status();
  std::vector<Hit> out = FromScored(scored.value());
  if (negate) {
    for (auto& h : out) h.score = -h.score;
  }
  return out;
}

// The query's ranked hits: [offset, offset + limit) of its full ranking. `inherited` is the
// filter of the enclosing query (Qdrant applies it to prefetches too).
Result<std::vector<Hit>> Execute(const Ctx& ctx, const QueryRequest& q,
                                 const std::optional<Filter>& inherited, bool root) {
  using Kind = QueryRequest::Kind;
  const std::optional<Filter> filter = Both(q.filter, inherited);
  // limit may be u64::MAX (Qdrant accepts it): saturate instead of wrapping.
  const size_t want = q.limit > SIZE_MAX - q.offset ? SIZE_MAX : q.limit + q.offset;
  Result<std::vector<Hit>> hits = std::vector<Hit>{};
  if (!q.prefetch.empty()) {
    if (q.kind == Kind::kNone) {
      return Status::BadRequest(
          "A query is needed to merge the prefetches. Can't have prefetches without defining a "
          "query.");
    }
    hits = OverPrefetch(ctx, q, filter, want);
  } else if (q.kind == Kind::kFusion) {
    return Status::BadRequest("Fusion query requires prefetches");
  } else if (q.kind == Kind::kNone || q.kind == Kind::kOrderBy) {
    ScrollRequest sr;
    sr.limit = want;
    sr.filter = filter;
    if (q.kind == Kind::kOrderBy) sr.order_by = q.order_by;
    auto page = ctx.c.Scroll(sr);
    if (!page.ok()) return page.status();
    std::vector<Hit> out;
    for (auto& r : page.value().points) out.push_back({r.id, 0.0f, r.order_value});
    hits = std::move(out);
  } else if (q.kind == Kind::kSample) {
    std::vector<Hit> out;
    for (const auto& id : ctx.c.SamplePoints(filter, nullptr, want))
      out.push_back(Hit{id, 0, std::nullopt});
    hits = std::move(out);
  } else if (q.kind == Kind::kNearest ||
             (q.kind == Kind::kRecommend && q.strategy == QueryRequest::Strategy::kAverageVector)) {
    SearchRequest sr;
    sr.vector_name = q.using_vector;
    sr.filter = filter;
    sr.limit = want;
    sr.score_threshold = q.score_threshold;
    sr.exact = q.exact;
    sr.hnsw_ef = q.hnsw_ef;
    sr.quantization = q.quantization;
    sr.stats = root ? q.stats : nullptr;
    sr.exclude_ids = ExampleIds(q);
    if (q.kind == Kind::kNearest) {
      auto v = Resolve(ctx, q, q.nearest);
      if (!v.ok()) return v.status();
      sr.vector = std::move(v.value());
    } else {
      const CollectionConfig config = ctx.c.config();
      auto params = ParamsOf(ctx.c, q.using_vector, config);
      if (!params.ok()) return params.status();
      auto v = RecommendVector(ctx, q, *params.value());
      if (!v.ok()) return v.status();
      sr.vector = std::move(v.value());
    }
    if (q.mmr) sr.limit = std::max(want, q.mmr->candidates_limit.value_or(want));
    auto found = ctx.c.Search(sr);
    if (!found.ok()) return found.status();
    std::vector<Hit> out;
    for (const auto& r : found.value()) out.push_back({r.id, r.score, std::nullopt});
    hits = std::move(out);
    if (q.mmr) hits = ApplyMmr(ctx, q, std::move(hits.value()), want);
  } else {
    const CollectionConfig config = ctx.c.config();
    auto params = ParamsOf(ctx.c, q.using_vector, config);
    if (!params.ok()) return params.status();
    auto scorer = CustomScorer(ctx, q, *params.value());
    if (!scorer.ok()) return scorer.status();
    auto scored =
        ctx.c.ScoreByVector(q.using_vector, filter, nullptr, ExampleIds(q), scorer.value(), want);
    if (!scored.ok()) return scored.status();
    hits = FromScored(scored.value());
  }
  if (!hits.ok()) return hits.status();
  std::vector<Hit>& all = hits.value();
  if (q.score_threshold && q.kind != Kind::kNone && q.kind != Kind::kOrderBy &&
      q.kind != Kind::kSample) {
    // Euclid/Manhattan nearest scores are distances: the threshold is then an upper bound.
    const CollectionConfig config = ctx.c.config();
    auto it = config.vectors.find(q.using_vector);
    bool distance = q.kind == Kind::kNearest && it != config.vectors.end() &&
                    !HigherIsBetter(it->second.distance);
    float t = *q.score_threshold;
    all.erase(std::remove_if(all.begin(), all.end(),
                             [&](const Hit& h) { return distance ? h.score > t : h.score < t; }),
              all.end());
  }
  if (q.offset >= all.size()) return std::vector<Hit>{};
  all.erase(all.begin(), all.begin() + q.offset);
  if (all.size() > q.limit) all.resize(q.limit);
  return hits;
}

Result<std::vector<Record>> Materialize(const Collection& c, const std::vector<Hit>& hits,
                                        const PayloadSelector& wp, const VectorSelector& wv) {
  std::vector<PointId> ids;
  for (const auto& h : hits) ids.push_back(h.id);
  auto records = c.Retrieve(ids, wp, wv);
  if (!records.ok()) return records.status();
  std::unordered_map<PointId, Record*, PointIdHash> by_id;
  for (auto& r : records.value()) by_id[r.id] = &r;
  std::vector<Record> out;
  for (const auto& h : hits) {
    auto it = by_id.find(h.id);
    if (it == by_id.end()) continue;  // deleted meanwhile
    Record r = *it->second;
    r.score = h.score;
    r.order_value = h.order_value;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Result<std::vector<Record>> RunQuery(const Collection& collection, const QueryRequest& q,
                                     const LookupFn& lookup) {
  Ctx ctx{collection, lookup};
  auto hits = Execute(ctx, q, std::nullopt, true);
  if (!hits.ok()) return hits.status();
  return Materialize(collection, hits.value(), q.with_payload, q.with_vector);
}

Result<std::vector<PointGroup>> RunGroupQuery(const Collection& collection, const GroupQuery& g,
                                              const LookupFn& lookup) {
  auto path = ParsePath(g.group_by);
  if (!path.ok()) return path.status();
  Ctx ctx{collection, lookup};
  PayloadSelector all_payload{PayloadSelector::Mode::kAll, {}};
  const size_t total = collection.Info().points_count;
  size_t fetch = 0;
  if (__builtin_mul_overflow(g.limit, g.group_size, &fetch) ||
      __builtin_mul_overflow(fetch, size_t{2}, &fetch)) {
    fetch = SIZE_MAX;
  }
  fetch = std::min(std::max<size_t>(fetch, 64), std::max<size_t>(total, 64));
  std::vector<PointGroup> groups;
  while (true) {
    QueryRequest q = g.query;
    q.offset = 0;
    q.limit = fetch;
    auto hits = Execute(ctx, q, std::nullopt, true);
    if (!hits.ok()) return hits.status();
    auto records = Materialize(collection, hits.value(), all_payload, VectorSelector{});
    if (!records.ok()) return records.status();
    groups.clear();
    bool full = false;
    for (auto& r : records.value()) {
      if (!r.payload) continue;
      const Value& payload = *r.payload;  // ValuesAt points into it
      std::vector<Value> keys;
      for (const Value* v : ValuesAt(payload, path.value())) {
        if ((v->is_string() || v->is_int()) &&
            std::find(keys.begin(), keys.end(), *v) == keys.end()) {
          keys.push_back(*v);
        }
      }
      for (const auto& key : keys) {
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const PointGroup& pg) { return pg.id == key; });
        if (it == groups.end()) {
          if (groups.size() == g.limit) continue;
          groups.push_back({key, {}});
          it = groups.end() - 1;
        }
        if (it->hits.size() < g.group_size) it->hits.push_back(r);
      }
      full = groups.size() == g.limit &&
             std::all_of(groups.begin(), groups.end(),
                         [&](const PointGroup& pg) { return pg.hits.size() == g.group_size; });
      if (full) break;
    }
    if (full || hits.value().size() < fetch || fetch >= total) break;
    fetch = std::min(fetch * 4, std::max<size_t>(total, 1));
  }
  // Re-read the hits with the payload and vectors the request asked for.
  for (auto& pg : groups) {
    std::vector<Hit> hs;
    for (const auto& r : pg.hits) hs.push_back({r.id, r.score, r.order_value});
    auto recs = Materialize(collection, hs, g.query.with_payload, g.query.with_vector);
    if (!recs.ok()) return recs.status();
    pg.hits = std::move(recs.value());
  }
  return groups;
}

}  // namespace quiver::engine
