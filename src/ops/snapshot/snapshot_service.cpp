#include "ops/snapshot/snapshot_service.h"

#include <map>
#include <mutex>
#include <random>

#include "base/file_system.h"
#include "ops/snapshot/sha256.h"
#include "ops/snapshot/snapshot_manifest.h"
#include "ops/snapshot/tar_writer.h"
#include "wire/collections_wire.h"
#include "wire/json_out.h"

#ifndef QUIVER_VERSION
#define QUIVER_VERSION "0.0.0"
#endif

namespace quiver::ops {
namespace {

std::string VersionOf(const SnapshotOptions& opt) {
  return opt.quiver_version.empty() ? std::string(QUIVER_VERSION) : opt.quiver_version;
}

std::string RandomSuffix() {
  std::random_device rd;
  return std::to_string(rd()) + std::to_string(rd());
}

// Removes a directory or file when it goes out of scope.
struct Cleanup {
  std::string path;
  ~Cleanup() {
    if (!path.empty()) (void)base::FileSystem::Default()->RemoveAll(path);
  }
};

base::Status WriteTar(const std::string& out_path, const std::string& src_dir,
                      SnapshotManifest& manifest, const std::vector<std::string>& files) {
  for (const auto& rel : files) {
    auto sum = Sha256OfFile(src_dir + "/" + rel);
    if (!sum.ok()) return sum.status();
    auto bytes_size = [&]() -> uint64_t {
      FILE* f = std::fopen((src_dir + "/" + rel).c_str(), "rb");
      if (!f) return 0;
      std::fseek(f, 0, SEEK_END);
      long n = std::ftell(f);
      std::fclose(f);
      return static_cast<uint64_t>(n);
    };
    manifest.files.push_back({rel, bytes_size(), sum.value()});
  }
  auto w = TarWriter::Create(out_path);
  if (!w.ok()) return w.status();
  QUIVER_RETURN_IF_ERROR(w.value()->AddBytes("manifest.json", RenderManifest(manifest)));
  for (const auto& rel : files)
    QUIVER_RETURN_IF_ERROR(w.value()->AddFile(rel, src_dir + "/" + rel));
  return w.value()->Close();
}

}  // namespace

std::string CollectionSnapshotDir(const SnapshotOptions& opt, const std::string& collection) {
  return opt.snapshots_path + "/" + collection;
}

namespace {

std::mutex activity_mu;
std::map<std::string, SnapshotActivity>& Activity() {
  static std::map<std::string, SnapshotActivity> activity;
  return activity;
}

// Counts one running creation or recovery of `collection` for as long as it lives.
class ActivityGuard {
 public:
  ActivityGuard(std::string collection, uint64_t SnapshotActivity::*field)
      : collection_(std::move(collection)), field_(field) {
    std::lock_guard lock(activity_mu);
    ++(Activity()[collection_].*field_);
  }
  ~ActivityGuard() {
    std::lock_guard lock(activity_mu);
    --(Activity()[collection_].*field_);
  }

 private:
  std::string collection_;
  uint64_t SnapshotActivity::*field_;
};

}  // namespace

SnapshotActivity SnapshotActivityOf(const std::string& collection) {
  std::lock_guard lock(activity_mu);
  auto it = Activity().find(collection);
  return it == Activity().end() ? SnapshotActivity{} : it->second;
}

base::Status WriteCollectionSnapshot(engine::Catalog& catalog, const std::string& name,
                                     const std::string& out_path, const SnapshotOptions& opt) {
  auto c = catalog.Get(name);
  if (!c.ok()) return c.status();
  ActivityGuard running(c.value()->name(), &SnapshotActivity::creating);
  auto staging = catalog.NewStagingDir("snapshot");
  if (!staging.ok()) return staging.status();
  Cleanup cleanup{staging.value()};
  auto files = c.value()->WriteSnapshot(staging.value());
  if (!files.ok()) return files.status();
  SnapshotManifest m;
  m.kind = "collection";
  m.quiver_version = VersionOf(opt);
  m.created = IsoTimestamp();
  m.collection = c.value()->name();
  m.config_json = wire::RenderCollectionConfig(c.value()->config());
  return WriteTar(out_path, staging.value(), m, files.value());
}

base::Result<SnapshotDescription> CreateCollectionSnapshot(engine::Catalog& catalog,
                                                           const std::string& name,
                                                           const SnapshotOptions& opt) {
  auto c = catalog.Get(name);
  if (!c.ok()) return c.status();
  const std::string collection = c.value()->name();
  const std::string dir = CollectionSnapshotDir(opt, collection);
  QUIVER_RETURN_IF_ERROR(base::FileSystem::Default()->CreateDirs(dir));
  Cleanup tmp{dir + "/.tmp-" + RandomSuffix() + ".snapshot"};
  QUIVER_RETURN_IF_ERROR(WriteCollectionSnapshot(catalog, collection, tmp.path, opt));
  std::string file =
      collection + "-" + std::to_string(opt.peer_id) + "-" + SnapshotTimestamp() + ".snapshot";
  auto d = PublishSnapshot(tmp.path, dir, file);
  if (d.ok()) {
    tmp.path.clear();
    std::lock_guard lock(activity_mu);
    ++Activity()[collection].created;
  }
  return d;
}

base::Status RecoverCollectionSnapshot(engine::Catalog& catalog, const std::string& name,
                                       const std::string& tar_path, const std::string& checksum,
                                       const SnapshotOptions& opt) {
  QUIVER_RETURN_IF_ERROR(engine::Catalog::ValidateName(name));
  ActivityGuard running(name, &SnapshotActivity::recovering);
  auto* fs = base::FileSystem::Default();
  if (!fs->Exists(tar_path)) return base::Status::BadRequest("Snapshot file does not exist");
  if (!checksum.empty()) {
    auto actual = Sha256OfFile(tar_path);
    if (!actual.ok()) return actual.status();
    if (actual.value() != checksum) {
      return base::Status::BadRequest("Snapshot checksum mismatch: expected " + checksum +
                                      ", got " + actual.value());
    }
  }
  auto staging = catalog.NewStagingDir("recover");
  if (!staging.ok()) return staging.status();
  Cleanup cleanup{staging.value()};
  auto extracted = ExtractTar(tar_path, staging.value(), opt.limits);
  if (!extracted.ok()) return extracted.status();
  auto manifest_json = fs->ReadFile(staging.value() + "/manifest.json");
  if (!manifest_json.ok()) return base::Status::BadRequest("snapshot: no manifest.json");
  auto manifest = ParseManifest(manifest_json.value());
  if (!manifest.ok()) return manifest.status();
  if (manifest.value().kind != "collection") {
    return base::Status::BadRequest("snapshot: a `" + manifest.value().kind +
                                    "` snapshot is not a collection snapshot");
  }
  std::vector<ManifestFile> got;
  for (const auto& f : extracted.value()) got.push_back({f.path, f.size, f.sha256});
  QUIVER_RETURN_IF_ERROR(VerifyAgainstManifest(manifest.value(), got));
  for (const auto& f : manifest.value().files) {
    if (f.path != "collection.meta" && f.path.rfind("segments/", 0) != 0) {
      return base::Status::BadRequest("snapshot: unexpected file `" + f.path + "`");
    }
  }
  QUIVER_RETURN_IF_ERROR(fs->Remove(staging.value() + "/manifest.json"));
  base::Status st = catalog.InstallCollection(name, staging.value());
  if (st.ok()) cleanup.path.clear();  // renamed into place
  return st;
}

base::Result<SnapshotDescription> CreateFullSnapshot(engine::Catalog& catalog,
                                                     const SnapshotOptions& opt) {
  auto* fs = base::FileSystem::Default();
  QUIVER_RETURN_IF_ERROR(fs->CreateDirs(opt.snapshots_path));
  Cleanup work{opt.snapshots_path + "/.tmp-full-" + RandomSuffix()};
  QUIVER_RETURN_IF_ERROR(fs->CreateDirs(work.path));
  const std::string ts = SnapshotTimestamp();
  std::vector<std::string> files;
  wire::JsonOut config;
  config.BeginObject().Key("collections_mapping").BeginObject();
  for (const auto& name : catalog.ListCollections()) {
    std::string file = name + "-" + std::to_string(opt.peer_id) + "-" + ts + ".snapshot";
    base::Status st = WriteCollectionSnapshot(catalog, name, work.path + "/" + file, opt);
    if (st.code() == base::StatusCode::kNotFound) continue;  // deleted meanwhile
    QUIVER_RETURN_IF_ERROR(st);
    config.Key(name).String(file);
    files.push_back(file);
  }
  config.EndObject().Key("collections_aliases").BeginObject();
  for (const auto& [alias, target] : catalog.ListAliases(std::nullopt)) {
    config.Key(alias).String(target);
  }
  config.EndObject().EndObject();
  QUIVER_RETURN_IF_ERROR(fs->WriteFileAtomic(work.path + "/config.json", config.Take()));
  files.push_back("config.json");
  SnapshotManifest m;
  m.kind = "full";
  m.quiver_version = VersionOf(opt);
  m.created = IsoTimestamp();
  Cleanup tmp{opt.snapshots_path + "/.tmp-" + RandomSuffix() + ".snapshot"};
  QUIVER_RETURN_IF_ERROR(WriteTar(tmp.path, work.path, m, files));
  auto d = PublishSnapshot(tmp.path, opt.snapshots_path, "full-snapshot-" + ts + ".snapshot");
  if (d.ok()) tmp.path.clear();
  return d;
}

}  // namespace quiver::ops
