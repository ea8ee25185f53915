#include "wire/query_wire.h"

#include "wire/filter_json.h"
#include "wire/json_out.h"
#include "wire/limits.h"
#include "wire/points_json.h"
#include "wire/points_wire.h"

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

Status ParseStrategy(Json v, std::string_view path) {
  if (v.is_null()) return Status::Ok();
  auto s = AsString(v, path);
  if (!s.ok()) return s.status();
  if (s.value() == "average_vector") return Status::Ok();
  if (s.value() == "best_score" || s.value() == "sum_scores") {
    return Status::BadRequest("recommend strategy `" + s.value() +
                              "` is not supported by Quiver yet; use `average_vector`");
  }
  return Status::Format("unknown variant `" + s.value() +
                        "`, expected one of `average_vector`, `best_score`, `sum_scores`");
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
    if (!f.is_null()) return Status::BadRequest("`lookup_from` is not supported by Quiver yet");
  } else {
    *handled = false;
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
    if (k == "prefetch") {
      if (f.is_null() || (f.is_array() && AsArray(f, k).value().size() == 0)) return Status::Ok();
      return Status::BadRequest("`prefetch` is not supported by Quiver yet");
    }
    if (k != "query" || f.is_null()) return Status::Ok();
    if (f.is_array() || f.is_number() || f.is_string()) {
      q.kind = QueryRequest::Kind::kNearest;
      return ParseVectorInput(f, "query", q.nearest);
    }
    auto qo = AsObject(f, "query");
    if (!qo.ok()) return qo.status();
    Json inner;
    if (!qo.value()["nearest"].get(inner)) {
      q.kind = QueryRequest::Kind::kNearest;
      return ParseVectorInput(inner, "query.nearest", q.nearest);
    }
    if (!qo.value()["recommend"].get(inner)) {
      q.kind = QueryRequest::Kind::kRecommend;
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
        QUIVER_RETURN_IF_ERROR(ParseStrategy(x, "query.recommend.strategy"));
      }
      return Status::Ok();
    }
    unsupported = qo.value().size() ? std::string((*qo.value().begin()).key) : "";
    return Status::Ok();
  });
  if (!st.ok()) return st;
  // Qdrant's request validation (CollectionQueryRequest), same messages.
  if (q.score_threshold && q.kind == QueryRequest::Kind::kNone && unsupported.empty()) {
    return Status::BadRequest(
        "A query is needed to use the score_threshold. Can't have score_threshold without "
        "defining a query.");
  }
  if (q.score_threshold && unsupported == "order_by") {
    return Status::BadRequest("Can't use score_threshold with an order_by query.");
  }
  if (!unsupported.empty()) {
    return Status::BadRequest("query `" + unsupported + "` is not supported by Quiver yet");
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
    if (k == "strategy") return ParseStrategy(f, k);
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

std::string RenderQueryResponse(const std::vector<engine::Record>& points, bool single_vector) {
  std::string inner = RenderScoredPoints(points, single_vector);
  return "{\"points\":" + inner + "}";
}

}  // namespace quiver::wire
