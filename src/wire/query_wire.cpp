#include "wire/query_wire.h"

#include "wire/filter_json.h"
#include "wire/json_out.h"
#include "wire/limits.h"
#include "wire/points_json.h"
#include "wire/points_wire.h"
#include "wire/query_json.h"

namespace quiver::wire {

using base::Result;
using base::Status;
using engine::QueryRequest;

namespace {

Status ParseVectorInput(Json v, std::string_view path, engine::VectorInput& out) {
  if (v.is_array()) {
    std::vector<float> vec;
    QUIVER_RETURN_IF_ERROR(ParseFloats(v, path, vec));
    out.vector = std::move(vec);
    return Status::Ok();
  }
  if (v.is_number() || v.is_string()) {
    auto id = AsPointId(v, path);
    if (!id.ok()) return id.status();
    out.id = id.value();
    return Status::Ok();
  }
  return Status::BadRequest(
      "only dense vectors and point ids are supported as query input by "
      "Quiver yet (at `" +
      std::string(path) + "`)");
}

Status ParseExamples(Json v, std::string_view path, std::vector<engine::VectorInput>& out) {
  if (v.is_null()) return Status::Ok();
  auto arr = AsArray(v, path);
  if (!arr.ok()) return arr.status();
  size_t i = 0;
  for (Json e : arr.value()) {
    engine::VectorInput in;
    QUIVER_RETURN_IF_ERROR(ParseVectorInput(e, Sub(path, i++), in));
    out.push_back(std::move(in));
  }
  return Status::Ok();
}

Status ParseStrategy(Json v, std::string_view path, QueryRequest& q) {
  if (v.is_null()) return Status::Ok();
  auto s = AsString(v, path);
  if (!s.ok()) return s.status();
  if (s.value() == "average_vector") {
    q.strategy = QueryRequest::Strategy::kAverageVector;
  } else if (s.value() == "best_score") {
    q.strategy = QueryRequest::Strategy::kBestScore;
  } else if (s.value() == "sum_scores") {
    q.strategy = QueryRequest::Strategy::kSumScores;
  } else {
    return Status::Format("unknown variant `" + s.value() +
                          "`, expected one of `average_vector`, `best_score`, `sum_scores`");
  }
  return Status::Ok();
}

// ContextPair, or an array of them (null: none).
Status ParseContext(Json v, std::string_view path, std::vector<engine::ContextPair>& out) {
  if (v.is_null()) return Status::Ok();
  auto one = [&](Json e, const std::string& p) -> Status {
    auto o = AsObject(e, p);
    if (!o.ok()) return o.status();
    Json pos, neg;
    if (o.value()["positive"].get(pos)) return MissingField("positive", p);
    if (o.value()["negative"].get(neg)) return MissingField("negative", p);
    engine::ContextPair pair;
    QUIVER_RETURN_IF_ERROR(ParseVectorInput(pos, Sub(p, "positive"), pair.positive));
    QUIVER_RETURN_IF_ERROR(ParseVectorInput(neg, Sub(p, "negative"), pair.negative));
    out.push_back(std::move(pair));
    return Status::Ok();
  };
  if (!v.is_array()) return one(v, std::string(path));
  size_t i = 0;
  JsonArray items = AsArray(v, path).value();  // not the temporary Result: it dies before the loop
  for (Json e : items) QUIVER_RETURN_IF_ERROR(one(e, Sub(path, i++)));
  return Status::Ok();
}

Status ParseLookupFrom(Json f, std::string_view path, QueryRequest& q) {
  if (f.is_null()) return Status::Ok();
  auto o = AsObject(f, path);
  if (!o.ok()) return o.status();
  Json c, vec;
  if (o.value()["collection"].get(c)) return MissingField("collection", path);
  auto name = AsString(c, Sub(path, "collection"));
  if (!name.ok()) return name.status();
  engine::LookupFrom lf{name.value(), ""};
  if (!o.value()["vector"].get(vec) && !vec.is_null()) {
    auto v = AsString(vec, Sub(path, "vector"));
    if (!v.ok()) return v.status();
    lf.vector = v.value();
  }
  q.lookup_from = std::move(lf);
  return Status::Ok();
}

// QuantizationSearchParams: ignore, rescore (default true), oversampling (≥ 1).
Status ParseQuantizationParams(Json v, const std::string& path, QueryRequest& q) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  engine::QuantizationSearchParams qp;
  QUIVER_RETURN_IF_ERROR(ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    if (f.is_null()) return Status::Ok();
    if (k == "ignore" || k == "rescore") {
      auto b = AsBool(f, Sub(path, k));
      if (!b.ok()) return b.status();
      (k == "ignore" ? qp.ignore : qp.rescore) = b.value();
    } else if (k == "oversampling") {
      auto d = AsDouble(f, Sub(path, k));
      if (!d.ok()) return d.status();
      if (!(d.value() >= 1.0) || d.value() > 1e6) {
        return Status::Validation(Sub(path, k) + ": value " + std::to_string(d.value()) +
                                  " invalid, must be 1.0 or larger");
      }
      qp.oversampling = d.value();
    }
    return Status::Ok();
  }));
  q.quantization = qp;
  return Status::Ok();
}

Status ParseParams(Json v, std::string_view path, QueryRequest& q) {
  if (v.is_null()) return Status::Ok();
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  return ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    if (f.is_null()) return Status::Ok();
    if (k == "exact") {
      auto b = AsBool(f, Sub(path, k));
      if (!b.ok()) return b.status();
      q.exact = b.value();
    } else if (k == "hnsw_ef") {
      auto u = AsUint(f, Sub(path, k));
      if (!u.ok()) return u.status();
      q.hnsw_ef = u.value();
    } else if (k == "quantization") {
      return ParseQuantizationParams(f, Sub(path, k), q);
    }
    return Status::Ok();  // indexed_only, acorn: accepted
  });
}

// Members shared by query, search and recommend bodies.
Status CommonField(std::string_view k, Json f, QueryRequest& q, bool* handled) {
  *handled = true;
  if (k == "filter") {
    if (f.is_null()) return Status::Ok();
    auto flt = ParseFilter(f, k);
    if (!flt.ok()) return flt.status();
    q.filter = std::move(flt.value());
  } else if (k == "params") {
    return ParseParams(f, k, q);
  } else if (k == "limit" || k == "top") {
    if (f.is_null()) return Status::Ok();
    auto u = AsUint(f, k);
    if (!u.ok()) return u.status();
    if (u.value() < 1) {
      return Status::Validation(std::string(k) + ": value 0 invalid, must be 1 or larger");
    }
    if (u.value() > Limits().max_query_limit) {
      return Status::Validation(
          std::string(k) + ": value " + std::to_string(u.value()) + " invalid, must be at most " +
          std::to_string(Limits().max_query_limit) + " (service.max_query_limit)");
    }
    q.limit = u.value();
  } else if (k == "offset") {
    if (f.is_null()) return Status::Ok();
    auto u = AsUint(f, k);
    if (!u.ok()) return u.status();
    if (u.value() > Limits().max_query_offset) {
      return Status::Validation(
          std::string(k) + ": value " + std::to_string(u.value()) + " invalid, must be at most " +
          std::to_string(Limits().max_query_offset) + " (service.max_query_offset)");
    }
    q.offset = u.value();
  } else if (k == "score_threshold") {
    if (f.is_null()) return Status::Ok();
    auto d = AsFloat(f, k);
    if (!d.ok()) return d.status();
    q.score_threshold = d.value();
  } else if (k == "with_payload") {
    return ParseWithPayload(f, k, q.with_payload);
  } else if (k == "with_vector" || k == "with_vectors") {
    return ParseWithVector(f, k, q.with_vector);
  } else if (k == "using") {
    if (f.is_null()) return Status::Ok();
    auto s = AsString(f, k);
    if (!s.ok()) return s.status();
    q.using_vector = s.value();
  } else if (k == "lookup_from") {
    return ParseLookupFrom(f, k, q);
  } else {
    *handled = false;
  }
  return Status::Ok();
}

// Mmr: {"diversity": 0..1 (0.5), "candidates_limit": 0..16384 (the limit)}.
Status ParseMmr(Json v, std::string_view path, QueryRequest& q) {
  auto o = AsObject(v, path);
  if (!o.ok()) return o.status();
  engine::Mmr mmr;
  QUIVER_RETURN_IF_ERROR(ForEachField(o.value(), [&](std::string_view k, Json f) -> Status {
    if (f.is_null()) return Status::Ok();
    if (k == "diversity") {
      auto d = AsFloat(f, Sub(path, k));
      if (!d.ok()) return d.status();
      if (!(d.value() >= 0 && d.value() <= 1)) {
        return Status::Validation("mmr.diversity: value " + std::to_string(d.value()) +
                                  " invalid, must be from 0 to 1");
      }
      mmr.diversity = d.value();
    } else if (k == "candidates_limit") {
      auto u = AsUint(f, Sub(path, k));
      if (!u.ok()) return u.status();
      if (u.value() > 16384) {
        return Status::Validation("mmr.candidates_limit: value " + std::to_string(u.value()) +
                                  " invalid, must be 16384 or smaller");
      }
      mmr.candidates_limit = u.value();
    }
    return Status::Ok();
  }));
  q.mmr = mmr;
  return Status::Ok();
}

// The `query` member: a VectorInput (nearest) or one of Qdrant's Query objects. Sets
// `unsupported` to the name of a query kind Quiver does not run.
Status ParseQueryInterface(Json f, QueryRequest& q, std::string& unsupported) {
  using Kind = QueryRequest::Kind;
  if (f.is_null()) return Status::Ok();
  if (f.is_array() || f.is_number() || f.is_string()) {
    q.kind = Kind::kNearest;
    return ParseVectorInput(f, "query", q.nearest);
  }
  auto qo = AsObject(f, "query");
  if (!qo.ok()) return qo.status();
  Json inner;
  if (!qo.value()["nearest"].get(inner)) {
    q.kind = Kind::kNearest;
    Json mmr;
    if (!qo.value()["mmr"].get(mmr) && !mmr.is_null()) {
      QUIVER_RETURN_IF_ERROR(ParseMmr(mmr, "query.mmr", q));
    }
    return ParseVectorInput(inner, "query.nearest", q.nearest);
  }
  if (!qo.value()["recommend"].get(inner)) {
    q.kind = Kind::kRecommend;
    auto ro = AsObject(inner, "query.recommend");
    if (!ro.ok()) return ro.status();
    Json x;
    if (!ro.value()["positive"].get(x)) {
      QUIVER_RETURN_IF_ERROR(ParseExamples(x, "query.recommend.positive", q.positive));
    }
    if (!ro.value()["negative"].get(x)) {
      QUIVER_RETURN_IF_ERROR(ParseExamples(x, "query.recommend.negative", q.negative));
    }
    if (!ro.value()["strategy"].get(x)) {
      QUIVER_RETURN_IF_ERROR(ParseStrategy(x, "query.recommend.strategy", q));
    }
    return Status::Ok();
  }
  if (!qo.value()["discover"].get(inner)) {
    q.kind = Kind::kDiscover;
    auto d = AsObject(inner, "query.discover");
    if (!d.ok()) return d.status();
    Json t, c;
    if (d.value()["target"].get(t)) return MissingField("target", "query.discover");
    if (d.value()["context"].get(c)) return MissingField("context", "query.discover");
    QUIVER_RETURN_IF_ERROR(ParseVectorInput(t, "query.discover.target", q.target));
    return ParseContext(c, "query.discover.context", q.context);
  }
  if (!qo.value()["context"].get(inner)) {
    q.kind = Kind::kContext;
    return ParseContext(inner, "query.context", q.context);
  }
  if (!qo.value()["order_by"].get(inner)) {
    q.kind = Kind::kOrderBy;
    return ParseOrderBy(inner, "query.order_by", q.order_by);
  }
  if (!qo.value()["fusion"].get(inner)) {
    q.kind = Kind::kFusion;
    auto s = AsString(inner, "query.fusion");
    if (!s.ok()) return s.status();
    if (s.value() == "dbsf") {
      q.fusion = QueryRequest::Fusion::kDbsf;
    } else if (s.value() != "rrf") {
      return Status::Format("unknown variant `" + s.value() +
                            "`, expected `rrf` or `dbsf` at `query.fusion`");
    }
    return Status::Ok();
  }
  if (!qo.value()["rrf"].get(inner)) {
    q.kind = Kind::kFusion;
    auto r = AsObject(inner, "query.rrf");
    if (!r.ok()) return r.status();
    Json k, w;
    if (!r.value()["k"].get(k) && !k.is_null()) {
      auto u = AsUint(k, "query.rrf.k");
      if (!u.ok()) return u.status();
      if (u.value() < 1) return Status::Validation("rrf.k: value 0 invalid, must be 1 or larger");
      q.rrf_k = u.value();
    }
    if (!r.value()["weights"].get(w) && !w.is_null()) {
      QUIVER_RETURN_IF_ERROR(ParseFloats(w, "query.rrf.weights", q.rrf_weights));
    }
    return Status::Ok();
  }
  if (!qo.value()["sample"].get(inner)) {
    q.kind = Kind::kSample;
    auto s = AsString(inner, "query.sample");
    if (!s.ok()) return s.status();
    if (s.value() != "random") {
      return Status::Format("unknown variant `" + s.value() + "`, expected `random`");
    }
    return Status::Ok();
  }
  unsupported = qo.value().size() ? std::string((*qo.value().begin()).key) : "";
  return Status::Ok();
}

Status ParsePrefetches(Json v, std::string_view path, std::vector<QueryRequest>& out, int depth);

// One Prefetch object (a query without paging and selectors; its default limit is 10).
Status ParsePrefetch(Json v, std::string_view path, QueryRequest& q, int depth) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  std::string unsupported;
  QUIVER_RETURN_IF_ERROR(ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    if (k == "prefetch") return ParsePrefetches(f, Sub(path, k), q.prefetch, depth + 1);
    if (k == "query") return ParseQueryInterface(f, q, unsupported);
    if (k == "using" || k == "filter" || k == "params" || k == "score_threshold" || k == "limit" ||
        k == "lookup_from") {
      bool handled;
      return CommonField(k, f, q, &handled);
    }
    return Status::Ok();
  }));
  if (!unsupported.empty()) {
    return Status::BadRequest("query `" + unsupported + "` is not supported by Quiver yet");
  }
  return Status::Ok();
}

Status ParsePrefetches(Json v, std::string_view path, std::vector<QueryRequest>& out, int depth) {
  if (v.is_null()) return Status::Ok();
  if (depth > 16) return Status::BadRequest("prefetch is nested too deeply (at most 16 levels)");
  if (!v.is_array()) {
    out.emplace_back();
    return ParsePrefetch(v, path, out.back(), depth);
  }
  size_t i = 0;
  JsonArray items = AsArray(v, path).value();  // not the temporary Result: it dies before the loop
  for (Json e : items) {
    out.emplace_back();
    QUIVER_RETURN_IF_ERROR(ParsePrefetch(e, Sub(path, i++), out.back(), depth));
  }
  return Status::Ok();
}

Status ParseQueryObject(Json v, QueryRequest& q) {
  auto obj = AsObject(v, "");
  if (!obj.ok()) return obj.status();
  // A query kind Quiver does not run yet: reported after Qdrant's own checks.
  std::string unsupported;
  Status st = ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    bool handled;
    if (k == "limit" && f.is_uint64() && f.get_uint64().value_unsafe() == 0) {
      // QueryRequest flattens QueryRequestInternal in Qdrant, hence the path
      return Status::Validation("internal.limit: value 0 invalid, must be 1 or larger");
    }
    QUIVER_RETURN_IF_ERROR(CommonField(k, f, q, &handled));
    if (handled) return Status::Ok();
    if (k == "prefetch") return ParsePrefetches(f, k, q.prefetch, 1);
    if (k == "query") return ParseQueryInterface(f, q, unsupported);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  // Qdrant's request validation (CollectionQueryRequest), same messages.
  if (q.score_threshold && q.kind == QueryRequest::Kind::kNone && unsupported.empty()) {
    return Status::BadRequest(
        "A query is needed to use the score_threshold. Can't have score_threshold without "
        "defining a query.");
  }
  if (q.score_threshold && (unsupported == "order_by" || q.kind == QueryRequest::Kind::kOrderBy)) {
    return Status::BadRequest("Can't use score_threshold with an order_by query.");
  }
  if (!unsupported.empty()) {
    return Status::BadRequest("query `" + unsupported + "` is not supported by Quiver yet");
  }
  if (q.kind == QueryRequest::Kind::kFusion && q.prefetch.empty()) {
    return Status::BadRequest("Fusion queries need at least one prefetch");
  }
  return Status::Ok();
}

template <typename F>
Result<std::vector<QueryRequest>> Batch(std::string_view body, const char* key, F&& one) {
  auto doc = ParseBody(body);
  if (!doc.ok()) return doc.status();
  auto obj = AsObject(doc.value(), "");
  if (!obj.ok()) return obj.status();
  Json list;
  if (obj.value()["searches"].get(list)) return MissingField(key, "");
  auto arr = AsArray(list, key);
  if (!arr.ok()) return arr.status();
  std::vector<QueryRequest> out;
  for (Json e : arr.value()) {
    QueryRequest q;
    QUIVER_RETURN_IF_ERROR(one(e, q));
    out.push_back(std::move(q));
  }
  return out;
}

Status ParseSearchObject(Json v, QueryRequest& q) {
  auto obj = AsObject(v, "");
  if (!obj.ok()) return obj.status();
  q.kind = QueryRequest::Kind::kNearest;
  Json vec;
  if (obj.value()["vector"].get(vec)) return MissingField("vector", "");
  if (vec.is_array()) {
    std::vector<float> f;
    QUIVER_RETURN_IF_ERROR(ParseFloats(vec, "vector", f));
    q.nearest.vector = std::move(f);
  } else {
    // NamedVector {"name": ..., "vector": [...]}
    auto vo = AsObject(vec, "vector");
    if (!vo.ok()) return vo.status();
    Json name, inner;
    if (vo.value()["name"].get(name)) return MissingField("name", "vector");
    auto n = AsString(name, "vector.name");
    if (!n.ok()) return n.status();
    q.using_vector = n.value();
    if (vo.value()["vector"].get(inner)) return MissingField("vector", "vector");
    if (!inner.is_array()) {
      return Status::BadRequest("sparse vectors are not supported by Quiver yet");
    }
    std::vector<float> f;
    QUIVER_RETURN_IF_ERROR(ParseFloats(inner, "vector.vector", f));
    q.nearest.vector = std::move(f);
  }
  return ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    bool handled;
    if (k == "using") return Status::Ok();
    return CommonField(k, f, q, &handled);
  });
}

Status ParseRecommendObject(Json v, QueryRequest& q) {
  auto obj = AsObject(v, "");
  if (!obj.ok()) return obj.status();
  q.kind = QueryRequest::Kind::kRecommend;
  return ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    bool handled;
    QUIVER_RETURN_IF_ERROR(CommonField(k, f, q, &handled));
    if (handled) return Status::Ok();
    if (k == "positive") return ParseExamples(f, k, q.positive);
    if (k == "negative") return ParseExamples(f, k, q.negative);
    if (k == "strategy") return ParseStrategy(f, k, q);
    return Status::Ok();
  });
}

Status ParseDiscoverObject(Json v, QueryRequest& q) {
  auto obj = AsObject(v, "");
  if (!obj.ok()) return obj.status();
  q.kind = QueryRequest::Kind::kContext;
  return ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    bool handled;
    QUIVER_RETURN_IF_ERROR(CommonField(k, f, q, &handled));
    if (handled) return Status::Ok();
    if (k == "target" && !f.is_null()) {
      q.kind = QueryRequest::Kind::kDiscover;
      return ParseVectorInput(f, k, q.target);
    }
    if (k == "context") return ParseContext(f, k, q.context);
    return Status::Ok();
  });
}

template <typename F>
Result<QueryRequest> One(std::string_view body, F&& parse) {
  auto doc = ParseBody(body);
  if (!doc.ok()) return doc.status();
  QueryRequest q;
  QUIVER_RETURN_IF_ERROR(parse(doc.value(), q));
  return q;
}

}  // namespace

Result<QueryRequest> ParseQuery(std::string_view body) { return One(body, ParseQueryObject); }
Result<std::vector<QueryRequest>> ParseQueryBatch(std::string_view body) {
  return Batch(body, "searches", ParseQueryObject);
}
Result<QueryRequest> ParseSearch(std::string_view body) { return One(body, ParseSearchObject); }
Result<std::vector<QueryRequest>> ParseSearchBatch(std::string_view body) {
  return Batch(body, "searches", ParseSearchObject);
}
Result<QueryRequest> ParseRecommend(std::string_view body) {
  return One(body, ParseRecommendObject);
}
Result<std::vector<QueryRequest>> ParseRecommendBatch(std::string_view body) {
  return Batch(body, "searches", ParseRecommendObject);
}

// Exported to the other wire/ files (query_json.h).
Status ParseQueryFields(Json v, QueryRequest& q) { return ParseQueryObject(v, q); }
Status ParseSearchFields(Json v, QueryRequest& q) { return ParseSearchObject(v, q); }
Status ParseRecommendFields(Json v, QueryRequest& q) { return ParseRecommendObject(v, q); }
Status ParseDiscoverFields(Json v, QueryRequest& q) { return ParseDiscoverObject(v, q); }

Result<QueryRequest> ParseDiscover(std::string_view body) { return One(body, ParseDiscoverObject); }
Result<std::vector<QueryRequest>> ParseDiscoverBatch(std::string_view body) {
  return Batch(body, "searches", ParseDiscoverObject);
}

std::string RenderQueryResponse(const std::vector<engine::Record>& points, bool single_vector) {
  std::string inner = RenderScoredPoints(points, single_vector);
  return "{\"points\":" + inner + "}";
}

}  // namespace quiver::wire
