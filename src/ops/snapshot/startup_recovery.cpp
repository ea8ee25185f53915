#include "ops/snapshot/startup_recovery.h"

#include <simdjson.h>

#include <filesystem>

#include "ops/snapshot/snapshot_manifest.h"
#include "ops/snapshot/tar_reader.h"

namespace quiver::ops {
namespace {

struct RemoveTree {
  std::string path;
  ~RemoveTree() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

base::Status CheckAbsent(engine::Catalog& catalog, const std::string& name, bool force) {
  if (force || !catalog.Get(name).ok()) return base::Status::Ok();
  return base::Status::BadInput("Collection `" + name +
                                "` already exists. Use --force-snapshot to overwrite it");
}

}  // namespace

base::Result<std::pair<std::string, std::string>> ParseSnapshotFlag(const std::string& flag) {
  size_t colon = flag.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == flag.size()) {
    return base::Status::BadInput("--snapshot `" + flag +
                                  "`: expected <snapshot_file_path>:<target_collection_name>");
  }
  return std::make_pair(flag.substr(0, colon), flag.substr(colon + 1));
}

base::Status RecoverSnapshotsAtStartup(engine::Catalog& catalog,
                                       const std::vector<std::pair<std::string, std::string>>& list,
                                       bool force, const SnapshotOptions& opt) {
  for (const auto& [path, name] : list) {
    QUIVER_RETURN_IF_ERROR(engine::Catalog::ValidateName(name));
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return base::Status::BadInput("snapshot file " + path + " does not exist");
    }
    QUIVER_RETURN_IF_ERROR(CheckAbsent(catalog, name, force));
  }
  for (const auto& [path, name] : list) {
    base::Status st = RecoverCollectionSnapshot(catalog, name, path, "", opt);
    if (!st.ok()) return base::Status(st.code(), path + ": " + st.message());
  }
  return base::Status::Ok();
}

base::Status RecoverStorageSnapshot(engine::Catalog& catalog, const std::string& tar_path,
                                    bool force, const SnapshotOptions& opt) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(tar_path, ec)) {
    return base::Status::BadInput("storage snapshot file " + tar_path + " does not exist");
  }
  auto staging = catalog.NewStagingDir("recover-storage");
  if (!staging.ok()) return staging.status();
  RemoveTree cleanup{staging.value()};
  auto extracted = ExtractTar(tar_path, staging.value(), opt.limits);
  if (!extracted.ok()) return extracted.status();
  auto* fs = base::FileSystem::Default();
  auto manifest_json = fs->ReadFile(staging.value() + "/manifest.json");
  if (!manifest_json.ok()) return base::Status::BadRequest("snapshot: no manifest.json");
  auto manifest = ParseManifest(manifest_json.value());
  if (!manifest.ok()) return manifest.status();
  if (manifest.value().kind != "full") {
    return base::Status::BadRequest("snapshot: a `" + manifest.value().kind +
                                    "` snapshot is not a full-storage snapshot");
  }
  std::vector<ManifestFile> got;
  for (const auto& f : extracted.value()) got.push_back({f.path, f.size, f.sha256});
  QUIVER_RETURN_IF_ERROR(VerifyAgainstManifest(manifest.value(), got));
  auto config = fs->ReadFile(staging.value() + "/config.json");
  if (!config.ok()) return base::Status::BadRequest("storage snapshot: no config.json");

  simdjson::dom::parser parser;
  simdjson::padded_string text(config.value());
  simdjson::dom::element doc;
  simdjson::dom::object mapping, aliases;
  if (parser.parse(text).get(doc) || doc["collections_mapping"].get(mapping)) {
    return base::Status::BadRequest("storage snapshot: config.json has no collections_mapping");
  }
  std::vector<std::pair<std::string, std::string>> collections;  // {file, name}
  for (auto field : mapping) {
    std::string_view file;
    if (field.value.get(file)) return base::Status::BadRequest("storage snapshot: bad config.json");
    auto path = NormalizeTarPath(std::string(file));
    if (!path.ok()) return path.status();
    if (!fs->Exists(staging.value() + "/" + path.value())) {
      return base::Status::BadRequest("storage snapshot: missing " + path.value());
    }
    collections.emplace_back(staging.value() + "/" + path.value(), std::string(field.key));
  }
  std::vector<engine::AliasAction> alias_actions;
  if (!doc["collections_aliases"].get(aliases)) {
    for (auto field : aliases) {
      std::string_view target;
      if (field.value.get(target)) return base::Status::BadRequest("storage snapshot: bad alias");
      engine::AliasAction a;
      a.kind = engine::AliasAction::Kind::kCreate;
      a.alias_name = std::string(field.key);
      a.collection_name = std::string(target);
      alias_actions.push_back(std::move(a));
    }
  }
  QUIVER_RETURN_IF_ERROR(RecoverSnapshotsAtStartup(catalog, collections, force, opt));
  if (!alias_actions.empty()) QUIVER_RETURN_IF_ERROR(catalog.UpdateAliases(alias_actions));
  return base::Status::Ok();
}

}  // namespace quiver::ops
