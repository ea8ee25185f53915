// Server configuration: a YAML file with Qdrant's config.yaml keys, overridden by environment
// variables QDRANT__SECTION__KEY and then QUIVER__SECTION__KEY.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/collection/collection_config.h"

namespace quiver::app {

struct ServerConfig {
  std::string log_level = "INFO";
  // service
  std::string host = "0.0.0.0";
  uint16_t http_port = 6333;
  uint16_t grpc_port = 6334;
  uint64_t max_request_size_mb = 32;
  uint64_t max_workers = 0;  // 0 = one per core
  bool enable_cors = true;
  std::string api_key;
  std::string read_only_api_key;
  std::string alt_api_key;  // a second read-write key, for rotation
  bool jwt_rbac = false;    // accept HS256 JWTs signed with api_key (Qdrant's RBAC)
  // TLS for the REST port (Qdrant's defaults for the file names).
  bool enable_tls = false;
  bool verify_https_client_certificate = false;
  std::string tls_cert = "./tls/cert.pem";
  std::string tls_key = "./tls/key.pem";
  std::string tls_ca_cert = "./tls/cacert.pem";
  // Limits (docs/operations/security.md "Limits"); 0 where "no limit" makes sense is noted.
  uint64_t max_json_depth = 128;
  uint64_t max_vector_dimension = 65536;
  uint64_t max_batch_points = 100000;
  uint64_t max_filter_depth = 32;
  uint64_t max_query_limit = UINT64_MAX;  // none, as Qdrant (its strict mode is off by default)
  uint64_t max_query_offset = UINT64_MAX;
  uint64_t max_collections = 1000;  // 0 = no limit
  uint64_t max_connections = 1024;
  uint64_t header_timeout_sec = 10;
  uint64_t body_timeout_sec = 60;
  uint64_t idle_timeout_sec = 60;
  // Snapshot recovery from http(s) URLs and the hosts it may contact (empty = any).
  bool enable_snapshot_url_recovery = true;
  std::vector<std::string> snapshot_url_allowed_hosts;
  // storage
  std::string storage_path = "./storage";
  std::string snapshots_path = "./snapshots";
  // backup: the server's own scheduled backups to a local directory or s3://BUCKET/PREFIX (off
  // unless enabled).
  bool backup_enabled = false;
  std::string backup_schedule = "0 * * * *";
  std::string backup_target = "./backups";
  uint64_t backup_keep_last = 24;
  // backup.s3.*: with an s3:// target (empty: the standard AWS environment decides).
  std::string backup_s3_endpoint;
  std::string backup_s3_region;
  bool backup_s3_path_style = false;
  std::string backup_s3_sse;  // "", "AES256", "aws:kms"
  std::string backup_s3_sse_kms_key_id;
  std::string backup_s3_storage_class;
  // Collection defaults from storage.hnsw_index, storage.optimizers, storage.wal.
  engine::CollectionConfig collection_defaults;
};

// Loads `path` (none = defaults only) and applies `env` overrides (name → value; pass the
// process environment). Unknown keys and bad values return BadInput naming the key.
base::Result<ServerConfig> LoadConfig(const std::optional<std::string>& path,
                                      const std::map<std::string, std::string>& env);

// Refuses (BadInput naming the file and the fix) a config file that holds a secret
// (service.api_key, service.alt_api_key, service.read_only_api_key) but can be read by every user
// of the machine, and likewise the TLS private key file when TLS is on.
base::Status CheckSecretFilePermissions(const std::optional<std::string>& config_path,
                                        const ServerConfig& config);

// The process environment as a map.
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace quiver::app
