#include "app/serve.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "api/rest_api.h"
#include "app/config.h"
#include "engine/collection/catalog.h"
#include "engine/index/distance_kernels.h"
#include "net/http_server.h"
#include "ops/backup/scheduled_backup.h"
#include "ops/snapshot/startup_recovery.h"
#include "wire/limits.h"

#ifndef QUIVER_GIT_COMMIT
#define QUIVER_GIT_COMMIT "0000000000000000000000000000000000000000"
#endif

namespace quiver::app {
namespace {

spdlog::level::level_enum LogLevel(const std::string& level) {
  if (level == "TRACE") return spdlog::level::trace;
  if (level == "DEBUG") return spdlog::level::debug;
  if (level == "WARN") return spdlog::level::warn;
  if (level == "ERROR") return spdlog::level::err;
  if (level == "OFF") return spdlog::level::off;
  return spdlog::level::info;
}

// --snapshot / --storage-snapshot: recovered before the server listens. Everything is checked
// before anything changes; an error stops start-up.
base::Status RecoverAtStartup(const ServeOptions& options, const ServerConfig& cfg,
                              engine::Catalog& catalog) {
  ops::SnapshotOptions snap;
  snap.snapshots_path = cfg.snapshots_path;
  if (options.storage_snapshot) {
    spdlog::info("recovering the storage snapshot {}", *options.storage_snapshot);
    QUIVER_RETURN_IF_ERROR(ops::RecoverStorageSnapshot(catalog, *options.storage_snapshot,
                                                       options.force_snapshot, snap));
  }
  std::vector<std::pair<std::string, std::string>> list;
  for (const auto& flag : options.snapshots) {
    auto parsed = ops::ParseSnapshotFlag(flag);
    if (!parsed.ok()) return parsed.status();
    list.push_back(parsed.value());
  }
  if (list.empty()) return base::Status::Ok();
  for (const auto& [path, name] : list) spdlog::info("recovering {} from {}", name, path);
  return ops::RecoverSnapshotsAtStartup(catalog, list, options.force_snapshot, snap);
}

wire::RequestLimits LimitsOf(const ServerConfig& cfg) {
  wire::RequestLimits l;
  l.max_json_depth = cfg.max_json_depth;
  l.max_vector_dimension = cfg.max_vector_dimension;
  l.max_batch_points = cfg.max_batch_points;
  l.max_filter_depth = cfg.max_filter_depth;
  l.max_query_limit = cfg.max_query_limit;
  l.max_query_offset = cfg.max_query_offset;
  return l;
}

}  // namespace

int RunServe(const ServeOptions& options) {
  // Block the shutdown signals before any thread starts; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto config = LoadConfig(options.config_path, ProcessEnvironment());
  if (!config.ok()) {
    spdlog::error("{}", config.status().message());
    return 1;
  }
  const ServerConfig& cfg = config.value();
  if (!options.allow_world_readable_config) {
    if (base::Status perms = CheckSecretFilePermissions(options.config_path, cfg); !perms.ok()) {
      spdlog::error("{}", perms.message());
      return 1;
    }
  }
  if (options.check_config) {
    if (cfg.enable_tls) {
      base::Status tls = net::HttpServer::CheckTls(net::TlsOptions{
          cfg.tls_cert, cfg.tls_key, cfg.tls_ca_cert, cfg.verify_https_client_certificate});
      if (!tls.ok()) {
        spdlog::error("{}", tls.message());
        return 1;
      }
    }
    spdlog::info("configuration is valid");
    return 0;
  }
  spdlog::set_level(LogLevel(cfg.log_level));
  spdlog::info("Quiver starting: storage {}, SIMD target {}", cfg.storage_path,
               engine::SimdTargetName());

  auto catalog = engine::Catalog::Open(base::FileSystem::Default(), cfg.storage_path);
  if (!catalog.ok()) {
    spdlog::error("cannot open storage {}: {}", cfg.storage_path, catalog.status().message());
    return 1;
  }
  if (base::Status rec = RecoverAtStartup(options, cfg, *catalog.value()); !rec.ok()) {
    spdlog::error("snapshot recovery at start-up failed: {}", rec.message());
    (void)catalog.value()->Close();
    return 1;
  }
  catalog.value()->StartFlusher();
  wire::SetLimits(LimitsOf(cfg));

  api::ApiOptions api_options;
  api_options.commit = QUIVER_GIT_COMMIT;
  api_options.enable_cors = cfg.enable_cors;
  api_options.api_key = cfg.api_key;
  api_options.read_only_api_key = cfg.read_only_api_key;
  api_options.alt_api_key = cfg.alt_api_key;
  api_options.jwt_rbac = cfg.jwt_rbac;
  api_options.collection_defaults = cfg.collection_defaults;
  api_options.storage_path = cfg.storage_path;
  api_options.snapshots_path = cfg.snapshots_path;
  api_options.max_collections = cfg.max_collections;
  api_options.enable_snapshot_url_recovery = cfg.enable_snapshot_url_recovery;
  api_options.snapshot_url_allowed_hosts = cfg.snapshot_url_allowed_hosts;
  api::RestApi rest(catalog.value().get(), api_options);

  net::HttpServerOptions http;
  http.host = cfg.host;
  http.port = cfg.http_port;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  http.threads = cfg.max_workers > 0 ? static_cast<int>(cfg.max_workers) : static_cast<int>(cores);
  http.max_body_bytes = cfg.max_request_size_mb << 20;
  http.header_timeout_sec = static_cast<int>(cfg.header_timeout_sec);
  http.read_timeout_sec = static_cast<int>(cfg.body_timeout_sec);
  http.idle_timeout_sec = static_cast<int>(cfg.idle_timeout_sec);
  http.max_connections = static_cast<int>(cfg.max_connections);
  http.body_spool_dir = [&rest](const net::HttpRequest& head) { return rest.BodySpoolDir(head); };
  if (cfg.enable_tls) {
    http.tls = net::TlsOptions{cfg.tls_cert, cfg.tls_key, cfg.tls_ca_cert,
                               cfg.verify_https_client_certificate};
  }
  http.error_response = [](int status, const std::string& message) {
    return api::RawErrorResponse(status, message);
  };
  net::HttpServer server(http, [&rest](net::HttpRequest&& req, net::Responder respond) {
    rest.Handle(std::move(req), std::move(respond));
  });
  base::Status st = server.Start();
  if (!st.ok()) {
    spdlog::error("{}", st.message());
    (void)catalog.value()->Close();
    return 1;
  }
  spdlog::info("Quiver listening on {}://{}:{} ({} workers)", cfg.enable_tls ? "https" : "http",
               cfg.host, server.port(), http.threads);

  std::unique_ptr<ops::ScheduledBackup> backups;
  if (cfg.backup_enabled) {
    ops::SnapshotOptions snap;
    snap.snapshots_path = cfg.snapshots_path;
    ops::BackupOptions bopt;
    bopt.target_dir = cfg.backup_target;
    bopt.keep_last = cfg.backup_keep_last;
    bopt.quiver_version = QUIVER_VERSION;
    bopt.s3.endpoint = cfg.backup_s3_endpoint;
    bopt.s3.region = cfg.backup_s3_region;
    bopt.s3.path_style = cfg.backup_s3_path_style;
    bopt.s3.sse = cfg.backup_s3_sse;
    bopt.s3.sse_kms_key_id = cfg.backup_s3_sse_kms_key_id;
    bopt.s3.storage_class = cfg.backup_s3_storage_class;
    if (base::Status t = ops::CheckBackupTarget(bopt); !t.ok()) {
      spdlog::error("backup.target: {}", t.message());
      server.Stop(10);
      (void)catalog.value()->Close();
      return 1;
    }
    backups = std::make_unique<ops::ScheduledBackup>(
        catalog.value().get(), snap, bopt, ops::CronSchedule::Parse(cfg.backup_schedule).value());
    backups->Start();
    spdlog::info("backups: `{}` to {}, keeping the last {}", cfg.backup_schedule, cfg.backup_target,
                 cfg.backup_keep_last);
  }

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  server.Stop(10);
  if (backups) backups->Stop();  // lets a running backup finish
  st = catalog.value()->Close();
  if (!st.ok()) {
    spdlog::error("shutdown flush failed: {}", st.message());
    return 1;
  }
  spdlog::info("shutdown complete");
  return 0;
}

}  // namespace quiver::app
