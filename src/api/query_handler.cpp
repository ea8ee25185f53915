// Search: universal query, batch, groups, facets, and the legacy search/recommend/discover routes
// the JS client calls.
#include "api/rest_api.h"
#include "observability/search_metrics.h"
#include "wire/points_wire.h"
#include "wire/query_wire.h"

namespace quiver::api {
namespace {

enum class Shape { kQueryResponse, kScoredPoints };

// Point ids in examples with `lookup_from` are read from another collection of the catalog.
engine::LookupFn Lookup(ApiContext& ctx) {
  return [&ctx](const engine::LookupFrom& from,
                const engine::PointId& id) -> base::Result<std::vector<float>> {
    auto other = ctx.catalog->Get(from.collection);
    if (!other.ok()) return other.status();
    return other.value()->VectorOf(id, from.vector);
  };
}

// The collections named by `lookup_from` in the query and its prefetches must exist (404), even
// when every example is a raw vector, as in Qdrant.
base::Status CheckLookups(ApiContext& ctx, const engine::QueryRequest& q) {
  if (q.lookup_from) {
    auto other = ctx.catalog->Get(q.lookup_from->collection);
    if (!other.ok()) return other.status();
  }
  for (const auto& p : q.prefetch) QUIVER_RETURN_IF_ERROR(CheckLookups(ctx, p));
  return base::Status::Ok();
}

// Runs one query and records its latency (successful ones) by collection and plan.
base::Result<std::vector<engine::Record>> TimedQuery(ApiContext& ctx, const engine::Collection& c,
                                                     const engine::QueryRequest& q) {
  QUIVER_RETURN_IF_ERROR(CheckLookups(ctx, q));
  auto start = Clock::now();
  engine::SearchStats stats;
  engine::QueryRequest timed = q;
  timed.stats = &stats;
  auto points = engine::RunQuery(c, timed, Lookup(ctx));
  if (points.ok()) {  // a rejected query says nothing about search speed
    // The plan label: "filtered" (a filter applied), "graph" (HNSW), or "exact" (scan only).
    std::string_view plan = q.filter ? "filtered" : stats.used_graph ? "graph" : "exact";
    observability::ObserveSearch(c.name(), plan,
                                 std::chrono::duration<double>(Clock::now() - start).count());
  }
  return points;
}

std::string Render(Shape shape, const std::vector<engine::Record>& points, bool single) {
  return shape == Shape::kQueryResponse ? wire::RenderQueryResponse(points, single)
                                        : wire::RenderScoredPoints(points, single);
}

template <typename Parse>
RouteHandler One(ApiContext& ctx, Parse parse, Shape shape) {
  return [&ctx, parse, shape](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    auto q = parse(call->body());
    if (!q.ok()) return call->Fail(q.status());
    auto points = TimedQuery(ctx, *c, q.value());
    if (!points.ok()) return call->Fail(points.status());
    call->Ok(Render(shape, points.value(), c->config().single_vector));
  };
}

template <typename Parse>
RouteHandler Many(ApiContext& ctx, Parse parse, Shape shape) {
  return [&ctx, parse, shape](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    auto qs = parse(call->body());
    if (!qs.ok()) return call->Fail(qs.status());
    bool single = c->config().single_vector;
    std::string out = "[";
    for (const auto& q : qs.value()) {
      auto points = TimedQuery(ctx, *c, q);
      if (!points.ok()) return call->Fail(points.status());
      if (out.size() > 1) out += ",";
      out += Render(shape, points.value(), single);
    }
    out += "]";
    call->Ok(out);
  };
}

RouteHandler Groups(ApiContext& ctx, wire::GroupsKind kind) {
  return [&ctx, kind](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    auto req = wire::ParseGroups(call->body(), kind);
    if (!req.ok()) return call->Fail(req.status());
    auto groups = engine::RunGroupQuery(*c, req.value().groups, Lookup(ctx));
    if (!groups.ok()) return call->Fail(groups.status());
    // with_lookup: each group's id is a point id in another collection.
    std::vector<std::optional<engine::Record>> lookups;
    bool lookup_single = true;
    if (const auto& wl = req.value().with_lookup) {
      auto other = ctx.catalog->Get(wl->collection);
      if (!other.ok()) {
        return call->Fail(
            other.status().code() == base::StatusCode::kNotFound
                ? base::Status::NotFound("Collection " + wl->collection + " not found")
                : other.status());
      }
      lookup_single = other.value()->config().single_vector;
      for (const auto& g : groups.value()) {
        std::optional<engine::PointId> id;
        if (g.id.is_int() && g.id.as_int() >= 0) id = engine::PointId::Num(uint64_t(g.id.as_int()));
        if (g.id.is_string()) {
          if (auto parsed = engine::PointId::ParseUuid(g.id.as_string())) id = *parsed;
        }
        std::optional<engine::Record> rec;
        if (id) {
          auto found = other.value()->Retrieve({*id}, wl->with_payload, wl->with_vector);
          if (found.ok() && !found.value().empty()) rec = std::move(found.value().front());
        }
        lookups.push_back(std::move(rec));
      }
    }
    call->Ok(wire::RenderGroups(groups.value(), lookups, c->config().single_vector, lookup_single));
  };
}

}  // namespace

void RegisterQueryRoutes(Router& router, ApiContext& ctx) {
  const std::string collection = "/collections/{collection_name}";
  const std::string base = collection + "/points";
  router.Add("POST", base + "/query", One(ctx, wire::ParseQuery, Shape::kQueryResponse));
  router.Add("POST", base + "/query/batch",
             Many(ctx, wire::ParseQueryBatch, Shape::kQueryResponse));
  router.Add("POST", base + "/query/groups", Groups(ctx, wire::GroupsKind::kQuery));
  router.Add("POST", base + "/search", One(ctx, wire::ParseSearch, Shape::kScoredPoints));
  router.Add("POST", base + "/search/batch",
             Many(ctx, wire::ParseSearchBatch, Shape::kScoredPoints));
  router.Add("POST", base + "/search/groups", Groups(ctx, wire::GroupsKind::kSearch));
  router.Add("POST", base + "/recommend", One(ctx, wire::ParseRecommend, Shape::kScoredPoints));
  router.Add("POST", base + "/recommend/batch",
             Many(ctx, wire::ParseRecommendBatch, Shape::kScoredPoints));
  router.Add("POST", base + "/recommend/groups", Groups(ctx, wire::GroupsKind::kRecommend));
  router.Add("POST", base + "/discover", One(ctx, wire::ParseDiscover, Shape::kScoredPoints));
  router.Add("POST", base + "/discover/batch",
             Many(ctx, wire::ParseDiscoverBatch, Shape::kScoredPoints));
  router.Add("POST", collection + "/facet", [&ctx](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    auto req = wire::ParseFacet(call->body());
    if (!req.ok()) return call->Fail(req.status());
    auto hits = c->Facet(req.value().key, req.value().filter, req.value().limit);
    if (!hits.ok()) return call->Fail(hits.status());
    call->Ok(wire::RenderFacet(hits.value()));
  });
}

}  // namespace quiver::api
