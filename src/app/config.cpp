#include "app/config.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdio>
#include <functional>
#include <set>
#include <sstream>
#include <vector>

#include "ops/backup/cron_schedule.h"

extern char** environ;

namespace quiver::app {
namespace {

enum class Kind { kSection, kInt, kBool, kString, kFloat, kAny };

// Keys Quiver understands, with their types. Sections accept only listed children.
const std::map<std::string, Kind>& Schema() {
  static const std::map<std::string, Kind> kSchema = {
      {"log_level", Kind::kString},
      {"service", Kind::kSection},
      {"service.host", Kind::kString},
      {"service.http_port", Kind::kInt},
      {"service.grpc_port", Kind::kInt},
      {"service.max_request_size_mb", Kind::kInt},
      {"service.max_workers", Kind::kInt},
      {"service.enable_cors", Kind::kBool},
      {"service.api_key", Kind::kString},
      {"service.read_only_api_key", Kind::kString},
      {"service.alt_api_key", Kind::kString},
      {"service.jwt_rbac", Kind::kBool},
      {"service.enable_tls", Kind::kBool},
      {"service.verify_https_client_certificate", Kind::kBool},
      {"service.enable_snapshot_url_recovery", Kind::kBool},
      {"service.hardware_reporting", Kind::kBool},
      {"service.max_json_depth", Kind::kInt},
      {"service.max_vector_dimension", Kind::kInt},
      {"service.max_batch_points", Kind::kInt},
      {"service.max_filter_depth", Kind::kInt},
      {"service.max_query_limit", Kind::kInt},
      {"service.max_query_offset", Kind::kInt},
      {"service.max_collections", Kind::kInt},
      {"service.max_connections", Kind::kInt},
      {"service.header_timeout_sec", Kind::kInt},
      {"service.body_timeout_sec", Kind::kInt},
      {"service.idle_timeout_sec", Kind::kInt},
      {"service.snapshot_url_allowed_hosts", Kind::kAny},
      {"backup", Kind::kSection},
      {"backup.enabled", Kind::kBool},
      {"backup.schedule", Kind::kString},
      {"backup.target", Kind::kString},
      {"backup.keep_last", Kind::kInt},
      {"backup.s3", Kind::kSection},
      {"backup.s3.endpoint", Kind::kString},
      {"backup.s3.region", Kind::kString},
      {"backup.s3.path_style", Kind::kBool},
      {"backup.s3.sse", Kind::kString},
      {"backup.s3.sse_kms_key_id", Kind::kString},
      {"backup.s3.storage_class", Kind::kString},
      {"storage", Kind::kSection},
      {"storage.storage_path", Kind::kString},
      {"storage.snapshots_path", Kind::kString},
      {"storage.temp_path", Kind::kAny},
      {"storage.on_disk_payload", Kind::kBool},
      {"storage.update_concurrency", Kind::kAny},
      {"storage.snapshots_config", Kind::kAny},
      {"storage.performance", Kind::kAny},
      {"storage.collection", Kind::kAny},
      {"storage.node_type", Kind::kAny},
      {"storage.wal", Kind::kSection},
      {"storage.wal.wal_capacity_mb", Kind::kInt},
      {"storage.wal.wal_segments_ahead", Kind::kInt},
      {"storage.wal.wal_retain_closed", Kind::kInt},
      {"storage.hnsw_index", Kind::kSection},
      {"storage.hnsw_index.m", Kind::kInt},
      {"storage.hnsw_index.ef_construct", Kind::kInt},
      {"storage.hnsw_index.full_scan_threshold_kb", Kind::kInt},
      {"storage.hnsw_index.full_scan_threshold", Kind::kInt},
      {"storage.hnsw_index.max_indexing_threads", Kind::kInt},
      {"storage.hnsw_index.on_disk", Kind::kBool},
      {"storage.hnsw_index.payload_m", Kind::kAny},
      {"storage.hnsw_index.inline_storage", Kind::kAny},
      {"storage.optimizers", Kind::kSection},
      {"storage.optimizers.deleted_threshold", Kind::kFloat},
      {"storage.optimizers.vacuum_min_vector_number", Kind::kInt},
      {"storage.optimizers.default_segment_number", Kind::kInt},
      {"storage.optimizers.max_segment_size_kb", Kind::kAny},
      {"storage.optimizers.memmap_threshold_kb", Kind::kAny},
      {"storage.optimizers.memmap_threshold", Kind::kAny},
      {"storage.optimizers.indexing_threshold_kb", Kind::kInt},
      {"storage.optimizers.indexing_threshold", Kind::kInt},
      {"storage.optimizers.flush_interval_sec", Kind::kInt},
      {"storage.optimizers.max_optimization_threads", Kind::kAny},
      {"storage.optimizers.prevent_unoptimized", Kind::kAny},
      {"cluster", Kind::kAny},
      {"telemetry_disabled", Kind::kBool},
      {"tls", Kind::kSection},
      {"tls.cert", Kind::kString},
      {"tls.key", Kind::kString},
      {"tls.ca_cert", Kind::kString},
      {"tls.cert_ttl", Kind::kInt},
      {"gpu", Kind::kAny},
      {"inference", Kind::kAny},
  };
  return kSchema;
}

base::Status Bad(const std::string& key, const std::string& why) {
  return base::Status::BadInput("configuration key `" + key + "`: " + why);
}

base::Status Check(const YAML::Node& node, const std::string& prefix) {
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    std::string path = prefix.empty() ? key : prefix + "." + key;
    auto it = Schema().find(path);
    if (it == Schema().end()) return Bad(path, "unknown key");
    const YAML::Node& v = kv.second;
    switch (it->second) {
      case Kind::kSection:
        if (!v.IsMap()) return Bad(path, "must be a section (a map of keys)");
        QUIVER_RETURN_IF_ERROR(Check(v, path));
        break;
      case Kind::kInt: {
        int64_t x;
        if (!v.IsScalar() || !YAML::convert<int64_t>::decode(v, x) || x < 0) {
          return Bad(path, "must be a non-negative integer, got `" + YAML::Dump(v) + "`");
        }
        break;
      }
      case Kind::kBool: {
        bool b;
        if (!v.IsScalar() || !YAML::convert<bool>::decode(v, b)) {
          return Bad(path, "must be true or false, got `" + YAML::Dump(v) + "`");
        }
        break;
      }
      case Kind::kFloat: {
        double d;
        if (!v.IsScalar() || !YAML::convert<double>::decode(v, d)) {
          return Bad(path, "must be a number, got `" + YAML::Dump(v) + "`");
        }
        break;
      }
      case Kind::kString:
        if (!v.IsScalar() && !v.IsNull()) return Bad(path, "must be a string");
        break;
      case Kind::kAny:
        break;
    }
  }
  return base::Status::Ok();
}

YAML::Node Lookup(const YAML::Node& root, const std::string& path) {
  YAML::Node cur = YAML::Clone(root);
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '.')) {
    if (!cur.IsMap() || !cur[part]) return YAML::Node();
    cur = cur[part];
  }
  return cur;
}

void ApplyEnv(YAML::Node& root, const std::map<std::string, std::string>& env,
              const std::string& prefix) {
  for (const auto& [name, value] : env) {
    if (name.rfind(prefix, 0) != 0) continue;
    std::vector<std::string> parts;
    std::string rest = name.substr(prefix.size());
    size_t pos;
    while ((pos = rest.find("__")) != std::string::npos) {
      parts.push_back(rest.substr(0, pos));
      rest = rest.substr(pos + 2);
    }
    parts.push_back(rest);
    for (auto& p : parts) {
      for (char& c : p) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    YAML::Node cur = root;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      if (!cur[parts[i]] || !cur[parts[i]].IsMap()) cur[parts[i]] = YAML::Node(YAML::NodeType::Map);
      cur.reset(cur[parts[i]]);
    }
    cur[parts.back()] = YAML::Node(value);
  }
}

// service.max_*, timeouts and snapshot URL recovery (docs/operations/security.md "Limits").
base::Status LoadLimits(const YAML::Node& root, ServerConfig& c) {
  struct Bound {
    const char* key;
    uint64_t* value;
    uint64_t min;
    uint64_t max;
  };
  const Bound bounds[] = {
      {"service.max_json_depth", &c.max_json_depth, 2, 100000},
      {"service.max_vector_dimension", &c.max_vector_dimension, 1, 65536},
      {"service.max_batch_points", &c.max_batch_points, 1, UINT64_MAX},
      {"service.max_filter_depth", &c.max_filter_depth, 1, 10000},
      {"service.max_query_limit", &c.max_query_limit, 1, UINT64_MAX},
      {"service.max_query_offset", &c.max_query_offset, 0, UINT64_MAX},
      {"service.max_collections", &c.max_collections, 0, UINT64_MAX},
      {"service.max_connections", &c.max_connections, 1, 1000000},
      {"service.header_timeout_sec", &c.header_timeout_sec, 1, 86400},
      {"service.body_timeout_sec", &c.body_timeout_sec, 1, 86400},
      {"service.idle_timeout_sec", &c.idle_timeout_sec, 1, 86400},
  };
  for (const auto& b : bounds) {
    YAML::Node n = Lookup(root, b.key);
    if (!n || n.IsNull()) continue;
    *b.value = n.as<uint64_t>();
    if (*b.value < b.min || *b.value > b.max) {
      return Bad(b.key, "must be between " + std::to_string(b.min) + " and " +
                            std::to_string(b.max) + ", got " + std::to_string(*b.value));
    }
  }
  YAML::Node url = Lookup(root, "service.enable_snapshot_url_recovery");
  if (url && !url.IsNull()) c.enable_snapshot_url_recovery = url.as<bool>();
  YAML::Node hosts = Lookup(root, "service.snapshot_url_allowed_hosts");
  if (hosts && !hosts.IsNull()) {
    if (hosts.IsScalar()) {  // from an environment variable: comma-separated
      std::stringstream ss(hosts.as<std::string>());
      std::string h;
      while (std::getline(ss, h, ',')) {
        h.erase(0, h.find_first_not_of(" \t"));
        h.erase(h.find_last_not_of(" \t") + 1);
        if (!h.empty()) c.snapshot_url_allowed_hosts.push_back(h);
      }
    } else if (hosts.IsSequence()) {
      for (const auto& h : hosts) {
        if (!h.IsScalar() || h.as<std::string>().empty()) {
          return Bad("service.snapshot_url_allowed_hosts", "must be a list of host names");
        }
        c.snapshot_url_allowed_hosts.push_back(h.as<std::string>());
      }
    } else {
      return Bad("service.snapshot_url_allowed_hosts", "must be a list of host names");
    }
  }
  return base::Status::Ok();
}

}  // namespace

base::Status CheckSecretFilePermissions(const std::optional<std::string>& config_path,
                                        const ServerConfig& config) {
  auto world_readable = [](const std::string& file, mode_t* mode) {
    struct stat st;
    if (stat(file.c_str(), &st) != 0) return false;
    *mode = st.st_mode & 07777;
    return (st.st_mode & S_IROTH) != 0;
  };
  auto refuse = [](const std::string& file, const std::string& what, mode_t mode) {
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
    return base::Status::BadInput(file + " holds " + what +
                                  " but every user of this machine can read it (mode " + octal +
                                  "): run `chmod o-rwx " + file +
                                  "` (or chmod 600), or start with --allow-world-readable-config");
  };
  mode_t mode = 0;
  if (config_path && world_readable(*config_path, &mode)) {
    try {
      YAML::Node root = YAML::LoadFile(*config_path);
      for (const char* key :
           {"service.api_key", "service.alt_api_key", "service.read_only_api_key"}) {
        YAML::Node n = Lookup(root, key);
        if (n && n.IsScalar() && !n.Scalar().empty()) {
          return refuse(*config_path, std::string("a secret (") + key + ")", mode);
        }
      }
    } catch (const YAML::Exception&) {
      // LoadConfig has already reported unreadable files.
    }
  }
  if (config.enable_tls && world_readable(config.tls_key, &mode)) {
    return refuse(config.tls_key, "the TLS private key (tls.key)", mode);
  }
  return base::Status::Ok();
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

base::Result<ServerConfig> LoadConfig(const std::optional<std::string>& path,
                                      const std::map<std::string, std::string>& env) {
  YAML::Node root(YAML::NodeType::Map);
  try {
    if (path) {
      root = YAML::LoadFile(*path);
      if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
      if (!root.IsMap()) return base::Status::BadInput("config file " + *path + " is not a map");
    }
    ApplyEnv(root, env, "QDRANT__");
    ApplyEnv(root, env, "QUIVER__");
  } catch (const YAML::Exception& e) {
    return base::Status::BadInput("cannot read config " + path.value_or("") + ": " + e.what());
  }
  QUIVER_RETURN_IF_ERROR(Check(root, ""));

  ServerConfig c;
  auto get = [&](const char* key, auto& out) {
    YAML::Node n = Lookup(root, key);
    if (n && !n.IsNull()) out = n.as<std::decay_t<decltype(out)>>();
  };
  try {
    get("log_level", c.log_level);
    get("service.host", c.host);
    int64_t port = c.http_port;
    get("service.http_port", port);
    if (port < 0 || port > 65535) return Bad("service.http_port", "must be a port number");
    c.http_port = static_cast<uint16_t>(port);
    int64_t grpc = c.grpc_port;
    get("service.grpc_port", grpc);
    c.grpc_port = static_cast<uint16_t>(grpc);
    get("service.max_request_size_mb", c.max_request_size_mb);
    if (c.max_request_size_mb == 0) return Bad("service.max_request_size_mb", "must be at least 1");
    get("service.max_workers", c.max_workers);
    get("service.enable_cors", c.enable_cors);
    get("service.api_key", c.api_key);
    get("service.read_only_api_key", c.read_only_api_key);
    QUIVER_RETURN_IF_ERROR(LoadLimits(root, c));
    get("service.alt_api_key", c.alt_api_key);
    get("service.jwt_rbac", c.jwt_rbac);
    if (c.jwt_rbac && c.api_key.empty() && c.alt_api_key.empty()) {
      return Bad("service.jwt_rbac", "needs service.api_key, the secret that signs the tokens");
    }
    get("service.enable_tls", c.enable_tls);
    get("service.verify_https_client_certificate", c.verify_https_client_certificate);
    get("tls.cert", c.tls_cert);
    get("tls.key", c.tls_key);
    get("tls.ca_cert", c.tls_ca_cert);
    if (c.enable_tls && (c.tls_cert.empty() || c.tls_key.empty())) {
      return Bad("tls", "service.enable_tls needs tls.cert and tls.key");
    }
    if (c.enable_tls && c.verify_https_client_certificate && c.tls_ca_cert.empty()) {
      return Bad("tls.ca_cert", "service.verify_https_client_certificate needs tls.ca_cert");
    }
    get("storage.storage_path", c.storage_path);
    get("storage.snapshots_path", c.snapshots_path);
    if (c.storage_path.empty()) return Bad("storage.storage_path", "must not be empty");
    get("backup.enabled", c.backup_enabled);
    get("backup.schedule", c.backup_schedule);
    get("backup.target", c.backup_target);
    get("backup.keep_last", c.backup_keep_last);
    if (c.backup_keep_last == 0) return Bad("backup.keep_last", "must be at least 1");
    if (c.backup_target.rfind("file://", 0) == 0) c.backup_target = c.backup_target.substr(7);
    if (auto cron = ops::CronSchedule::Parse(c.backup_schedule); !cron.ok()) {
      return Bad("backup.schedule", cron.status().message());
    }
    get("backup.s3.endpoint", c.backup_s3_endpoint);
    get("backup.s3.region", c.backup_s3_region);
    get("backup.s3.path_style", c.backup_s3_path_style);
    get("backup.s3.sse", c.backup_s3_sse);
    get("backup.s3.sse_kms_key_id", c.backup_s3_sse_kms_key_id);
    get("backup.s3.storage_class", c.backup_s3_storage_class);
    if (!c.backup_s3_sse.empty() && c.backup_s3_sse != "AES256" && c.backup_s3_sse != "aws:kms") {
      return Bad("backup.s3.sse", "must be AES256 or aws:kms");
    }
    if (c.backup_target.rfind("s3://", 0) == 0) {
      std::string rest = c.backup_target.substr(5);
      if (rest.empty() || rest[0] == '/') {
        return Bad("backup.target", "must be s3://BUCKET[/PREFIX]");
      }
    } else if (c.backup_target.find("://") != std::string::npos) {
      return Bad("backup.target", "must be a directory, file:///DIR or s3://BUCKET/PREFIX");
    }
    auto& d = c.collection_defaults;
    get("storage.wal.wal_capacity_mb", d.wal_config.wal_capacity_mb);
    if (d.wal_config.wal_capacity_mb == 0)
      return Bad("storage.wal.wal_capacity_mb", "must be at least 1");
    get("storage.wal.wal_segments_ahead", d.wal_config.wal_segments_ahead);
    get("storage.hnsw_index.m", d.hnsw_config.m);
    get("storage.hnsw_index.ef_construct", d.hnsw_config.ef_construct);
    if (d.hnsw_config.ef_construct < 4)
      return Bad("storage.hnsw_index.ef_construct", "must be at least 4");
    get("storage.hnsw_index.full_scan_threshold_kb", d.hnsw_config.full_scan_threshold);
    get("storage.hnsw_index.full_scan_threshold", d.hnsw_config.full_scan_threshold);
    get("storage.hnsw_index.max_indexing_threads", d.hnsw_config.max_indexing_threads);
    bool on_disk = false;
    get("storage.hnsw_index.on_disk", on_disk);
    d.hnsw_config.on_disk = on_disk;
    auto& o = d.optimizer_config;
    get("storage.optimizers.deleted_threshold", o.deleted_threshold);
    if (o.deleted_threshold < 0 || o.deleted_threshold > 1) {
      return Bad("storage.optimizers.deleted_threshold", "must be between 0 and 1");
    }
    get("storage.optimizers.vacuum_min_vector_number", o.vacuum_min_vector_number);
    get("storage.optimizers.default_segment_number", o.default_segment_number);
    uint64_t indexing = o.indexing_threshold.value_or(10000);
    get("storage.optimizers.indexing_threshold_kb", indexing);
    get("storage.optimizers.indexing_threshold", indexing);
    o.indexing_threshold = indexing;
    get("storage.optimizers.flush_interval_sec", o.flush_interval_sec);
    bool payload_on_disk = true;
    get("storage.on_disk_payload", payload_on_disk);
    d.on_disk_payload = payload_on_disk;
  } catch (const YAML::Exception& e) {
    return base::Status::BadInput(std::string("bad configuration value: ") + e.what());
  }
  static const std::set<std::string> kLevels = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"};
  std::string level = c.log_level;
  for (char& ch : level) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (level == "WARNING") level = "WARN";
  if (!kLevels.count(level))
    return Bad("log_level", "must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF");
  c.log_level = level;
  return c;
}

}  // namespace quiver::app
