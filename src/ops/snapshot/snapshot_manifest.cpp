#include "ops/snapshot/snapshot_manifest.h"

#include <simdjson.h>

#include <map>

#include "wire/json_out.h"

namespace quiver::ops {
namespace sj = simdjson;

namespace {
base::Status Bad(const std::string& m) { return base::Status::BadRequest("snapshot: " + m); }
}  // namespace

std::string RenderManifest(const SnapshotManifest& m) {
  wire::JsonOut j;
  j.BeginObject();
  j.Key("format").String("quiver-snapshot");
  j.Key("format_version").Int(m.format_version);
  j.Key("kind").String(m.kind);
  j.Key("quiver_version").String(m.quiver_version);
  j.Key("created").String(m.created);
  j.Key("collection").String(m.collection);
  j.Key("config");
  if (m.config_json.empty()) {
    j.Null();
  } else {
    j.Raw(m.config_json);
  }
  j.Key("files").BeginArray();
  for (const auto& f : m.files) {
    j.BeginObject();
    j.Key("path").String(f.path);
    j.Key("size").Uint(f.size);
    j.Key("sha256").String(f.sha256);
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return j.Take();
}

base::Result<SnapshotManifest> ParseManifest(const std::string& json) {
  sj::dom::parser parser;
  sj::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) || !doc.is_object()) {
    return Bad("manifest.json is not a JSON object");
  }
  SnapshotManifest m;
  std::string_view format;
  if (doc["format"].get(format) || format != "quiver-snapshot") {
    return Bad("manifest.json is not a Quiver snapshot manifest");
  }
  int64_t version = 0;
  if (doc["format_version"].get(version)) return Bad("manifest.json has no format_version");
  if (version != kSnapshotFormatVersion) {
    return Bad("unsupported snapshot format version " + std::to_string(version) +
               " (this Quiver reads version " + std::to_string(kSnapshotFormatVersion) + ")");
  }
  m.format_version = static_cast<int>(version);
  std::string_view s;
  if (!doc["kind"].get(s)) m.kind = std::string(s);
  if (!doc["quiver_version"].get(s)) m.quiver_version = std::string(s);
  if (!doc["created"].get(s)) m.created = std::string(s);
  if (!doc["collection"].get(s)) m.collection = std::string(s);
  sj::dom::element config;
  if (!doc["config"].get(config) && !config.is_null()) m.config_json = sj::to_string(config);
  sj::dom::array files;
  if (doc["files"].get(files)) return Bad("manifest.json has no files array");
  for (sj::dom::element f : files) {
    ManifestFile mf;
    std::string_view path, sha;
    uint64_t size = 0;
    if (f["path"].get(path) || f["size"].get(size) || f["sha256"].get(sha) || sha.size() != 64) {
      return Bad("manifest.json has a malformed file entry");
    }
    mf.path = std::string(path);
    mf.size = size;
    mf.sha256 = std::string(sha);
    m.files.push_back(std::move(mf));
  }
  return m;
}

base::Status VerifyAgainstManifest(const SnapshotManifest& m,
                                   const std::vector<ManifestFile>& extracted) {
  std::map<std::string, const ManifestFile*> got;
  for (const auto& f : extracted) {
    if (f.path != "manifest.json") got[f.path] = &f;
  }
  for (const auto& want : m.files) {
    auto it = got.find(want.path);
    if (it == got.end()) return Bad("file `" + want.path + "` named in the manifest is missing");
    if (it->second->size != want.size) {
      return Bad("file `" + want.path + "` has " + std::to_string(it->second->size) +
                 " bytes, the manifest says " + std::to_string(want.size));
    }
    if (it->second->sha256 != want.sha256) {
      return Bad("file `" + want.path + "` is damaged: sha256 " + it->second->sha256 +
                 ", the manifest says " + want.sha256);
    }
    got.erase(it);
  }
  if (!got.empty()) return Bad("file `" + got.begin()->first + "` is not in the manifest");
  return base::Status::Ok();
}

}  // namespace quiver::ops
