// The REST API: routes Qdrant's endpoints to thin handlers (one file per API group), adds CORS,
// records request metrics.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/auth.h"
#include "api/router.h"
#include "engine/collection/catalog.h"
#include "engine/collection/collection_config.h"
#include "net/http_types.h"
#include "observability/rest_metrics.h"

namespace quiver::api {

struct ApiOptions {
  std::string version = "1.19.0";
  std::string commit;
  bool enable_cors = true;
  std::string api_key;                           // read-write key; empty = no authentication
  std::string read_only_api_key;                 // read-only key
  std::string alt_api_key;                       // second read-write key (rotation)
  bool jwt_rbac = false;                         // accept HS256 JWTs signed with the api_key
  engine::CollectionConfig collection_defaults;  // from storage.hnsw_index / optimizers / wal
  std::string storage_path;                      // for /metrics disk space (statvfs)
  std::string snapshots_path;
  uint64_t max_collections = 0;  // 0 = no limit (service.max_collections)
  // Snapshot recovery from http(s) URLs (service.enable_snapshot_url_recovery) and the hosts it
  // may contact (service.snapshot_url_allowed_hosts; empty = any host).
  bool enable_snapshot_url_recovery = true;
  std::vector<std::string> snapshot_url_allowed_hosts;
};

// What every handler group needs.
struct ApiContext {
  engine::Catalog* catalog = nullptr;
  ApiOptions options;
  observability::RestMetrics* metrics = nullptr;
  Clock::time_point started = Clock::now();
};

void RegisterServiceRoutes(Router& router, ApiContext& ctx);
void RegisterCollectionRoutes(Router& router, ApiContext& ctx);
void RegisterPointRoutes(Router& router, ApiContext& ctx);
void RegisterQueryRoutes(Router& router, ApiContext& ctx);
void RegisterSnapshotRoutes(Router& router, ApiContext& ctx);
// Blocks until the snapshot operations running in the background (wait=false, or answered
// already) have finished: they use the catalog and the context.
void WaitForSnapshotWork();

class RestApi {
 public:
  RestApi(engine::Catalog* catalog, ApiOptions options);
  ~RestApi();  // waits for background snapshot work
  // The net::Handler entry point.
  void Handle(net::HttpRequest&& request, net::Responder respond);
  // For HttpServerOptions::body_spool_dir: where to stream the body of this request (headers
  // only) instead of memory, or "" (snapshots_handler.cpp: snapshot uploads).
  std::string BodySpoolDir(const net::HttpRequest& head) const;

 private:
  // nullopt when the request may go on (`access` set); otherwise the 401/403 answer.
  std::optional<net::HttpResponse> Admit(const net::HttpRequest& request,
                                         const std::string& endpoint,
                                         const std::map<std::string, std::string>& params,
                                         Access* access) const;
  Authenticator auth_;
  observability::RestMetrics metrics_;
  ApiContext ctx_;
  Router router_;
};

// Resolves the collection named in the path parameter `collection_name`, or fails the call.
std::shared_ptr<engine::Collection> CollectionOrFail(ApiContext& ctx, Call& call);

}  // namespace quiver::api
