#include "ops/backup_tool/manifest.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ops/backup_tool/crypto.h"
#include "ops/objstore/local_object_store.h"

namespace quiver::ops::backup {
namespace {

using nlohmann::json;

constexpr size_t kMaxManifestBytes = 64u << 20;
constexpr size_t kMaxNodes = 1024, kMaxCollections = 100000, kMaxSample = 1000;

base::Status Bad(const std::string& field, const std::string& why) {
  return base::Status::Format("manifest: " + field + " " + why);
}

// Typed getters that never throw.
base::Status GetString(const json& o, const char* key, std::string& out, bool required = true) {
  auto it = o.find(key);
  if (it == o.end()) return required ? Bad(key, "is missing") : base::Status::Ok();
  if (!it->is_string()) return Bad(key, "must be a string");
  out = it->get<std::string>();
  if (out.size() > 4096) return Bad(key, "is too long");
  return base::Status::Ok();
}

template <typename T>
base::Status GetUint(const json& o, const char* key, T& out) {
  auto it = o.find(key);
  if (it == o.end()) return Bad(key, "is missing");
  if (!it->is_number_unsigned()) return Bad(key, "must be a non-negative integer");
  out = static_cast<T>(it->get<uint64_t>());
  return base::Status::Ok();
}

}  // namespace

uint64_t Manifest::TotalBytes() const {
  uint64_t t = 0;
  for (const auto& c : collections) t += c.size;
  return t;
}

std::string BackupIdFor(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H-%M-%SZ", &tm);
  return buf;
}

std::time_t TimeOfBackupId(const std::string& id) {
  if (id.size() != 20) return -1;
  const char* pat = "dddd-dd-ddTdd-dd-ddZ";
  for (size_t i = 0; i < 20; ++i) {
    if (pat[i] == 'd' ? !(id[i] >= '0' && id[i] <= '9') : id[i] != pat[i]) return -1;
  }
  std::tm tm{};
  tm.tm_year = std::stoi(id.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(id.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(id.substr(8, 2));
  tm.tm_hour = std::stoi(id.substr(11, 2));
  tm.tm_min = std::stoi(id.substr(14, 2));
  tm.tm_sec = std::stoi(id.substr(17, 2));
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return -1;
  }
  return timegm(&tm);
}

bool IsValidBackupId(const std::string& id) { return TimeOfBackupId(id) >= 0; }

std::string ManifestToJson(const Manifest& m) {
  json j;
  j["format"] = "quiver-backup";
  j["format_version"] = m.format_version;
  j["id"] = m.id;
  j["created_at"] = m.created_at;
  j["duration_seconds"] = m.duration_sec;
  j["quiver_version"] = m.quiver_version;
  j["encryption"] = m.encryption.empty() ? json(nullptr)
                                         : json{{"algorithm", m.encryption}, {"key_id", m.key_id}};
  j["nodes"] = json::array();
  for (const auto& n : m.nodes) {
    j["nodes"].push_back(
        {{"url", n.url}, {"server_title", n.server_title}, {"server_version", n.server_version}});
  }
  j["collections"] = json::array();
  for (const auto& c : m.collections) {
    json e{{"name", c.name},
           {"node", c.node},
           {"object", c.object},
           {"size", c.size},
           {"sha256", c.sha256},
           {"snapshot_name", c.snapshot_name},
           {"snapshot_size", c.snapshot_size},
           {"snapshot_sha256", c.snapshot_sha256},
           {"points_before", c.points_before},
           {"points_after", c.points_after}};
    e["config"] = json::parse(c.config_json.empty() ? "null" : c.config_json, nullptr, false);
    e["sample"] = json::array();
    for (const auto& s : c.sample) {
      e["sample"].push_back({{"id", json::parse(s.id_json, nullptr, false)}, {"sha256", s.sha256}});
    }
    j["collections"].push_back(std::move(e));
  }
  j["total_bytes"] = m.TotalBytes();
  return j.dump(2) + "\n";
}

base::Result<Manifest> ParseManifest(std::string_view text) {
  if (text.size() > kMaxManifestBytes) return Bad("file", "is larger than 64 MiB");
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return Bad("file", "is not valid JSON");
  if (!j.is_object()) return Bad("file", "is not a JSON object");
  Manifest m;
  std::string format;
  QUIVER_RETURN_IF_ERROR(GetString(j, "format", format));
  if (format != "quiver-backup") return Bad("format", "is not \"quiver-backup\"");
  QUIVER_RETURN_IF_ERROR(GetUint(j, "format_version", m.format_version));
  if (m.format_version != kManifestFormatVersion) {
    return base::Status::BadInput("manifest format_version " + std::to_string(m.format_version) +
                                  " is not supported by this quiver (reads version " +
                                  std::to_string(kManifestFormatVersion) + ")");
  }
  QUIVER_RETURN_IF_ERROR(GetString(j, "id", m.id));
  if (!IsValidBackupId(m.id)) return Bad("id", "is not a backup id");
  auto created = j.find("created_at");
  if (created == j.end() || !created->is_number_integer()) return Bad("created_at", "is missing");
  m.created_at = created->get<int64_t>();
  if (auto d = j.find("duration_seconds"); d != j.end() && d->is_number()) {
    m.duration_sec = d->get<double>();
  }
  QUIVER_RETURN_IF_ERROR(GetString(j, "quiver_version", m.quiver_version, false));
  auto enc = j.find("encryption");
  if (enc != j.end() && !enc->is_null()) {
    if (!enc->is_object()) return Bad("encryption", "must be an object or null");
    QUIVER_RETURN_IF_ERROR(GetString(*enc, "algorithm", m.encryption));
    QUIVER_RETURN_IF_ERROR(GetString(*enc, "key_id", m.key_id));
    if (m.encryption != "AES-256-GCM") return Bad("encryption.algorithm", "is not AES-256-GCM");
  }
  auto nodes = j.find("nodes");
  if (nodes == j.end() || !nodes->is_array() || nodes->empty() || nodes->size() > kMaxNodes) {
    return Bad("nodes", "must be a non-empty array");
  }
  for (const auto& n : *nodes) {
    if (!n.is_object()) return Bad("nodes[]", "must be objects");
    NodeInfo info;
    QUIVER_RETURN_IF_ERROR(GetString(n, "url", info.url));
    QUIVER_RETURN_IF_ERROR(GetString(n, "server_title", info.server_title, false));
    QUIVER_RETURN_IF_ERROR(GetString(n, "server_version", info.server_version, false));
    m.nodes.push_back(std::move(info));
  }
  auto cols = j.find("collections");
  if (cols == j.end() || !cols->is_array() || cols->size() > kMaxCollections) {
    return Bad("collections", "must be an array");
  }
  for (const auto& c : *cols) {
    if (!c.is_object()) return Bad("collections[]", "must be objects");
    CollectionEntry e;
    QUIVER_RETURN_IF_ERROR(GetString(c, "name", e.name));
    if (e.name.empty() || e.name.size() > 255 || e.name.find('/') != std::string::npos) {
      return Bad("collections[].name", "is not a valid collection name");
    }
    uint64_t node = 0;
    QUIVER_RETURN_IF_ERROR(GetUint(c, "node", node));
    e.node = static_cast<int>(std::min<uint64_t>(node, kMaxNodes));
    if (node >= m.nodes.size()) {
      return Bad("collections[].node", "is out of range");
    }
    QUIVER_RETURN_IF_ERROR(GetString(c, "object", e.object));
    if (!ValidateObjectKey(e.object).ok() || e.object.rfind(m.id + "/", 0) != 0) {
      return Bad("collections[].object", "is not a safe key inside this backup: " + e.object);
    }
    QUIVER_RETURN_IF_ERROR(GetUint(c, "size", e.size));
    QUIVER_RETURN_IF_ERROR(GetString(c, "sha256", e.sha256));
    if (!IsSha256Hex(e.sha256)) return Bad("collections[].sha256", "is not a sha256 hex digest");
    QUIVER_RETURN_IF_ERROR(GetString(c, "snapshot_name", e.snapshot_name, false));
    QUIVER_RETURN_IF_ERROR(GetUint(c, "snapshot_size", e.snapshot_size));
    QUIVER_RETURN_IF_ERROR(GetString(c, "snapshot_sha256", e.snapshot_sha256));
    if (!IsSha256Hex(e.snapshot_sha256)) {
      return Bad("collections[].snapshot_sha256", "is not a sha256 hex digest");
    }
    QUIVER_RETURN_IF_ERROR(GetUint(c, "points_before", e.points_before));
    QUIVER_RETURN_IF_ERROR(GetUint(c, "points_after", e.points_after));
    if (auto cfg = c.find("config"); cfg != c.end()) e.config_json = cfg->dump();
    if (auto s = c.find("sample"); s != c.end()) {
      if (!s->is_array() || s->size() > kMaxSample) return Bad("collections[].sample", "bad");
      for (const auto& p : *s) {
        if (!p.is_object() || !p.contains("id")) return Bad("collections[].sample[]", "bad");
        const json& id = p["id"];
        if (!id.is_number_unsigned() && !id.is_string()) {
          return Bad("collections[].sample[].id", "must be an unsigned integer or a UUID");
        }
        SamplePoint sp{id.dump(), ""};
        QUIVER_RETURN_IF_ERROR(GetString(p, "sha256", sp.sha256));
        if (!IsSha256Hex(sp.sha256)) return Bad("collections[].sample[].sha256", "bad digest");
        e.sample.push_back(std::move(sp));
      }
    }
    m.collections.push_back(std::move(e));
  }
  return m;
}

}  // namespace quiver::ops::backup
