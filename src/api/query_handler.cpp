// Search: universal query, batch, and the legacy search/recommend routes the JS client calls.
#include "api/rest_api.h"
#include "observability/search_metrics.h"
#include "wire/points_wire.h"
#include "wire/query_wire.h"

namespace quiver::api {
namespace {

enum class Shape { kQueryResponse, kScoredPoints };

// Runs one query and records its latency (successful ones) by collection and plan.
base::Result<std::vector<engine::Record>> TimedQuery(const engine::Collection& c,
                                                     const engine::QueryRequest& q) {
  auto start = Clock::now();
  engine::SearchStats stats;
  engine::QueryRequest timed = q;
  timed.stats = &stats;
  auto points = engine::RunQuery(c, timed);
  if (points.ok()) {  // a rejected query says nothing about search speed
    // The plan label: "filtered" (a filter applied), "graph" (HNSW), or "exact" (scan only).
    std::string_view plan = q.filter ? "filtered" : stats.used_graph ? "graph" : "exact";
    observability::ObserveSearch(c.name(), plan,
                                 std::chrono::duration<double>(Clock::now() - start).count());
  }
  return points;
}

template <typename Parse>
RouteHandler One(ApiContext& ctx, Parse parse, Shape shape) {
  return [&ctx, parse, shape](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    auto q = parse(call->body());
    if (!q.ok()) return call->Fail(q.status());
    auto points = TimedQuery(*c, q.value());
    if (!points.ok()) return call->Fail(points.status());
    bool single = c->config().single_vector;
    call->Ok(shape == Shape::kQueryResponse ? wire::RenderQueryResponse(points.value(), single)
                                            : wire::RenderScoredPoints(points.value(), single));
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
      auto points = TimedQuery(*c, q);
      if (!points.ok()) return call->Fail(points.status());
      if (out.size() > 1) out += ",";
      out += shape == Shape::kQueryResponse ? wire::RenderQueryResponse(points.value(), single)
                                            : wire::RenderScoredPoints(points.value(), single);
    }
    out += "]";
    call->Ok(out);
  };
}

}  // namespace

void RegisterQueryRoutes(Router& router, ApiContext& ctx) {
  const std::string base = "/collections/{collection_name}/points";
  router.Add("POST", base + "/query", One(ctx, wire::ParseQuery, Shape::kQueryResponse));
  router.Add("POST", base + "/query/batch",
             Many(ctx, wire::ParseQueryBatch, Shape::kQueryResponse));
  router.Add("POST", base + "/search", One(ctx, wire::ParseSearch, Shape::kScoredPoints));
  router.Add("POST", base + "/search/batch",
             Many(ctx, wire::ParseSearchBatch, Shape::kScoredPoints));
  router.Add("POST", base + "/recommend", One(ctx, wire::ParseRecommend, Shape::kScoredPoints));
  router.Add("POST", base + "/recommend/batch",
             Many(ctx, wire::ParseRecommendBatch, Shape::kScoredPoints));
}

}  // namespace quiver::api
