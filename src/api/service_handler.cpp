// Service endpoints: version, health probes, metrics, telemetry, cluster status.
#include <ctime>

#include "api/rest_api.h"
#include "observability/server_metrics.h"
#include "ops/snapshot/snapshot_service.h"
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

// Gathers what /metrics reports: per collection only counters (Collection::Stats), never a walk
// over points, so a scrape costs the same for an empty and a full database.
std::string RenderMetrics(ApiContext& ctx, bool per_collection) {
  observability::ServerSample server;
  server.app_version = ctx.options.version;
  server.commit = ctx.options.commit;
  server.volumes = {{"storage", ctx.options.storage_path},
                    {"snapshots", ctx.options.snapshots_path}};
  for (const auto& name : ctx.catalog->ListCollections()) {
    auto c = ctx.catalog->Get(name);
    if (!c.ok()) continue;  // deleted meanwhile
    engine::CollectionStats stats = c.value()->Stats();
    observability::CollectionSample sample;
    sample.name = name;
    sample.points = stats.points;
    for (const auto& [vname, params] : c.value()->config().vectors) {
      sample.vector_names.push_back(vname);
    }
    sample.segments_by_state = std::move(stats.segments_by_state);
    sample.optimizations_queued = stats.optimizations_queued;
    sample.optimizations_running = stats.optimizations_running;
    sample.wal_bytes = stats.wal_bytes;
    ops::SnapshotActivity snaps = ops::SnapshotActivityOf(name);
    sample.snapshots_creating = snaps.creating;
    sample.snapshots_recovering = snaps.recovering;
    sample.snapshots_created = snaps.created;
    sample.status = stats.status;
    server.collections.push_back(std::move(sample));
  }
  return observability::RenderServerMetrics(server, *ctx.metrics, per_collection);
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
    auto per_collection = call->QueryBool("per_collection", false);
    if (!per_collection.ok()) return call->Fail(per_collection.status());
    net::HttpResponse r = TextResponse(200, RenderMetrics(ctx, per_collection.value()));
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
