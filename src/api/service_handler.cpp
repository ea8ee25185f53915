// Service endpoints: version, health probes, metrics, telemetry, cluster status.
#include <ctime>

#include "api/rest_api.h"
#include "observability/process_stats.h"
#include "wire/json_out.h"

namespace quiver::api {
namespace {

std::string IsoTime(std::time_t t) {
  char buf[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string RenderMetrics(ApiContext& ctx) {
  std::string out;
  out += "# HELP app_info information about qdrant server\n# TYPE app_info gauge\n";
  out += "app_info{name=\"quiver\",version=\"" + ctx.options.version + "\"} 1\n";
  auto names = ctx.catalog->ListCollections();
  out += "# HELP collections_total number of collections\n# TYPE collections_total gauge\n";
  out += "collections_total " + std::to_string(names.size()) + "\n";
  std::string points, vectors;
  uint64_t vector_total = 0;
  for (const auto& name : names) {
    auto c = ctx.catalog->Get(name);
    if (!c.ok()) continue;
    auto info = c.value()->Info();
    points += "collection_points{id=\"" + observability::EscapeLabel(name) + "\"} " +
              std::to_string(info.points_count) + "\n";
    for (const auto& [vname, p] : info.config.vectors) {
      vectors += "collection_vectors{collection=\"" + observability::EscapeLabel(name) +
                 "\",vector=\"" + observability::EscapeLabel(vname) + "\"} " +
                 std::to_string(info.points_count) + "\n";
      vector_total += info.points_count;
    }
  }
  out += "# HELP collections_vector_total total number of vectors in all collections\n";
  out += "# TYPE collections_vector_total gauge\ncollections_vector_total " +
         std::to_string(vector_total) + "\n";
  if (!points.empty()) {
    out += "# HELP collection_points approximate amount of points per collection\n";
    out += "# TYPE collection_points gauge\n" + points;
    out += "# HELP collection_vectors amount of vectors per collection and vector name\n";
    out += "# TYPE collection_vectors gauge\n" + vectors;
  }
  out += "# HELP app_status_recovery_mode features enabled in qdrant server\n";
  out += "# TYPE app_status_recovery_mode gauge\napp_status_recovery_mode 0\n";
  out += "# HELP cluster_enabled is cluster support enabled\n# TYPE cluster_enabled gauge\n";
  out += "cluster_enabled 0\n";
  ctx.metrics->Render(out);
  observability::RenderProcessStats(out);
  return out;
}

}  // namespace

void RegisterServiceRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/", [&ctx](std::shared_ptr<Call> call) {
    wire::JsonOut o;
    o.BeginObject().Key("title").String("quiver - a qdrant-compatible vector search engine");
    o.Key("version").String(ctx.options.version).Key("commit").String(ctx.options.commit);
    o.EndObject();
    net::HttpResponse r;
    r.body = o.Take();
    call->Respond(std::move(r));
  });
  for (const char* probe : {"/healthz", "/livez"}) {
    router.Add("GET", probe, [](std::shared_ptr<Call> call) {
      call->Respond(TextResponse(200, "healthz check passed"));
    });
  }
  router.Add("GET", "/readyz", [](std::shared_ptr<Call> call) {
    call->Respond(TextResponse(200, "all shards are ready"));
  });
  router.Add("GET", "/metrics", [&ctx](std::shared_ptr<Call> call) {
    net::HttpResponse r = TextResponse(200, RenderMetrics(ctx));
    r.content_type = "text/plain; version=0.0.4";
    call->Respond(std::move(r));
  });
  router.Add("GET", "/telemetry", [&ctx](std::shared_ptr<Call> call) {
    wire::JsonOut o;
    auto names = ctx.catalog->ListCollections();
    std::time_t started =
        std::time(nullptr) -
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - ctx.started).count();
    o.BeginObject().Key("id").String("quiver-single-node");
    o.Key("app").BeginObject().Key("name").String("quiver").Key("version").String(
        ctx.options.version);
    o.Key("features")
        .BeginObject()
        .Key("debug")
        .Bool(false)
        .Key("service_debug_feature")
        .Bool(false);
    o.Key("recovery_mode").Bool(false).Key("gpu").Bool(false).Key("rocksdb").Bool(false);
    o.Key("staging").Bool(false).EndObject();
    o.Key("startup").String(IsoTime(started)).EndObject();
    o.Key("collections").BeginObject().Key("number_of_collections").Uint(names.size()).EndObject();
    o.EndObject();
    call->Ok(o.str());
  });
  router.Add("GET", "/cluster",
             [](std::shared_ptr<Call> call) { call->Ok("{\"status\":\"disabled\"}"); });
  router.Add("GET", "/issues", [](std::shared_ptr<Call> call) { call->Ok("{\"issues\":[]}"); });
  router.Add("DELETE", "/issues", [](std::shared_ptr<Call> call) { call->Ok("true"); });
}

}  // namespace quiver::api
