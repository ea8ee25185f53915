// Collections, aliases and payload indexes.
#include <cstdlib>

#include "api/rest_api.h"
#include "wire/collections_wire.h"
#include "wire/optimizations_wire.h"
#include "wire/points_wire.h"

namespace quiver::api {

void RegisterCollectionRoutes(Router& router, ApiContext& ctx) {
  // Listings show only what the caller's access covers (a JWT scoped to some collections).
  router.Add("GET", "/collections", [&ctx](std::shared_ptr<Call> call) {
    auto names = ctx.catalog->ListCollections();
    std::erase_if(names, [&](const std::string& n) { return !call->access().CanSee(n); });
    call->Ok(wire::RenderCollectionsList(names));
  });
  router.Add("GET", "/aliases", [&ctx](std::shared_ptr<Call> call) {
    auto aliases = ctx.catalog->ListAliases(std::nullopt);
    std::erase_if(aliases, [&](const auto& a) { return !call->access().CanSee(a.second); });
    call->Ok(wire::RenderAliases(aliases));
  });
  router.Add("POST", "/collections/aliases", [&ctx](std::shared_ptr<Call> call) {
    auto actions = wire::ParseAliasActions(call->body());
    if (!actions.ok()) return call->Fail(actions.status());
    base::Status st = ctx.catalog->UpdateAliases(actions.value());
    if (!st.ok()) return call->Fail(st);
    call->Ok("true");
  });
  router.Add("GET", "/collections/{collection_name}", [&ctx](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    // yellow while the optimizer has work (merge, indexing, vacuum), green when done — as Qdrant.
    call->Ok(wire::RenderCollectionInfo(c->Info(), c->StatusColor()));
  });
  router.Add("GET", "/collections/{collection_name}/optimizations",
             [&ctx](std::shared_ptr<Call> call) {
               auto c = CollectionOrFail(ctx, *call);
               if (!c) return;
               auto options = wire::ParseOptimizationsWith(call->Query("with").value_or(""));
               if (!options.ok()) return call->Fail(options.status());
               if (auto limit = call->Query("completed_limit")) {
                 char* end = nullptr;
                 unsigned long long n = std::strtoull(limit->c_str(), &end, 10);
                 if (limit->empty() || *end != '\0' || (*limit)[0] == '-') {
                   return call->Fail(base::Status::BadInput(
                       "completed_limit: expected a non-negative integer, got `" + *limit + "`"));
                 }
                 options.value().completed_limit = static_cast<size_t>(n);
               }
               call->Ok(wire::RenderOptimizations(c->Optimizations(options.value().completed_limit),
                                                  options.value()));
             });
  router.Add("GET", "/collections/{collection_name}/exists", [&ctx](std::shared_ptr<Call> call) {
    // Qdrant validates the name here (422 for an empty name or control characters).
    base::Status valid = engine::Catalog::ValidateName(call->Param("collection_name"));
    if (!valid.ok()) {
      return call->Fail(base::Status::Validation("path parameters: " + valid.message()));
    }
    bool exists = ctx.catalog->Get(call->Param("collection_name")).ok();
    call->Ok(exists ? "{\"exists\":true}" : "{\"exists\":false}");
  });
  router.Add("PUT", "/collections/{collection_name}", [&ctx](std::shared_ptr<Call> call) {
    const std::string& name = call->Param("collection_name");
    base::Status valid = engine::Catalog::ValidateName(name);
    if (!valid.ok()) return call->Fail(valid);
    auto config = wire::ParseCreateCollection(call->body(), ctx.options.collection_defaults);
    if (!config.ok()) return call->Fail(config.status());
    const uint64_t max = ctx.options.max_collections;
    if (max > 0 && !ctx.catalog->Get(name).ok() && ctx.catalog->ListCollections().size() >= max) {
      return call->Fail(base::Status::BadRequest(
          "cannot create collection `" + name + "`: there are already " + std::to_string(max) +
          " collections, the limit (service.max_collections)"));
    }
    base::Status st = ctx.catalog->CreateCollection(name, config.value());
    if (!st.ok()) return call->Fail(st);
    call->Ok("true");
  });
  router.Add("PATCH", "/collections/{collection_name}", [&ctx](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    auto updated = wire::ParseUpdateCollection(call->body(), c->config());
    if (!updated.ok()) return call->Fail(updated.status());
    base::Status st = c->UpdateConfig(updated.value());
    if (!st.ok()) return call->Fail(st);
    call->Ok("true");
  });
  router.Add("DELETE", "/collections/{collection_name}", [&ctx](std::shared_ptr<Call> call) {
    auto deleted = ctx.catalog->DeleteCollection(call->Param("collection_name"));
    if (!deleted.ok()) return call->Fail(deleted.status());
    call->Ok(deleted.value() ? "true" : "false");
  });
  router.Add("GET", "/collections/{collection_name}/aliases", [&ctx](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    call->Ok(wire::RenderAliases(ctx.catalog->ListAliases(c->name())));
  });
  router.Add("GET", "/collections/{collection_name}/cluster", [&ctx](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    auto info = c->Info();
    call->Ok(
        "{\"peer_id\":1,\"shard_count\":1,\"local_shards\":[{\"shard_id\":0,\"points_count\":" +
        std::to_string(info.points_count) +
        ",\"state\":\"Active\"}],\"remote_shards\":[],\"shard_transfers\":[]}");
  });
  router.Add("PUT", "/collections/{collection_name}/index", [&ctx](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    auto wait = call->QueryBool("wait", false);
    if (!wait.ok()) return call->Fail(wait.status());
    auto req = wire::ParseCreateIndex(call->body());
    if (!req.ok()) return call->Fail(req.status());
    auto op = c->CreatePayloadIndex(req.value().field_name, req.value().params);
    if (!op.ok()) return call->Fail(op.status());
    call->Ok(wire::RenderUpdateResult(op.value(), wait.value()));
  });
  router.Add("DELETE", "/collections/{collection_name}/index/{field_name}",
             [&ctx](std::shared_ptr<Call> call) {
               auto c = CollectionOrFail(ctx, *call);
               if (!c) return;
               auto wait = call->QueryBool("wait", false);
               if (!wait.ok()) return call->Fail(wait.status());
               auto op = c->DeletePayloadIndex(call->Param("field_name"));
               if (!op.ok()) return call->Fail(op.status());
               call->Ok(wire::RenderUpdateResult(op.value(), wait.value()));
             });
}

}  // namespace quiver::api
