// `quiver backup run`: snapshots through the API into an ObjectStore, manifest last, retention.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "ops/backup_tool/backup_tool.h"
#include "ops/backup_tool/qdrant_client.h"
#include "ops/s3/s3_store.h"

namespace quiver::ops::backup {
namespace fs = std::filesystem;

ingest::HttpEndpoint ServerOptions::EndpointFor(const std::string& url) const {
  ingest::HttpEndpoint ep;
  ep.base_url = url;
  while (!ep.base_url.empty() && ep.base_url.back() == '/') ep.base_url.pop_back();
  ep.api_key = api_key;
  ep.ca_cert = ca_cert;
  ep.insecure = insecure;
  ep.timeout_sec = 3600;  // snapshot creation of a big collection with wait=true
  return ep;
}

TempFile::TempFile(const std::string& dir, const std::string& hint) {
  fs::path base = dir.empty() ? fs::temp_directory_path() : fs::path(dir);
  std::random_device rd;
  path_ = (base / ("quiver-backup-" + std::to_string(::getpid()) + "-" + std::to_string(rd()) +
                   "-" + hint))
              .string();
}

TempFile::~TempFile() {
  std::error_code ec;
  fs::remove(path_, ec);
  fs::remove(path_ + ".part", ec);
}

int ExitCodeOf(const base::Status& s) {
  switch (s.code()) {
    case base::StatusCode::kOk:
      return kExitOk;
    case base::StatusCode::kCorruption:
      return kExitIntegrity;
    case base::StatusCode::kBadInput:
    case base::StatusCode::kBadRequest:
    case base::StatusCode::kAlreadyExists:
    case base::StatusCode::kNotFound:
      return kExitRefused;
    default:
      return kExitFailed;
  }
}

namespace {

// Snapshot one collection of one node into the store; fills `entry`.
base::Status BackupCollection(ObjectStore& store, QdrantClient& api, const BackupRunOptions& o,
                              CollectionEntry& entry, void (*log)(const std::string&)) {
  auto before = api.CountExact(entry.name);
  if (!before.ok()) return before.status();
  auto sample_before = api.Sample(entry.name, o.sample_points);
  if (!sample_before.ok()) return sample_before.status();
  auto state = api.GetCollection(entry.name);
  if (!state.ok()) return state.status();
  entry.config_json = state->config_json;

  auto snap = api.CreateSnapshot(entry.name);
  if (!snap.ok()) return snap.status();
  entry.snapshot_name = snap->name;
  // From here on the server-side snapshot is deleted whatever happens.
  base::Status st = [&]() -> base::Status {
    auto after = api.CountExact(entry.name);
    if (!after.ok()) return after.status();
    entry.points_before = *before;
    entry.points_after = *after;
    // Sample points: those whose digest is the same before and after the snapshot.
    std::vector<std::string> ids;
    for (const auto& p : *sample_before) ids.push_back(p.id_json);
    auto sample_after = api.Digests(entry.name, ids);
    if (!sample_after.ok()) return sample_after.status();
    std::map<std::string, std::string> now;
    for (const auto& p : *sample_after) now[p.id_json] = p.sha256;
    for (const auto& p : *sample_before) {
      auto it = now.find(p.id_json);
      if (it != now.end() && it->second == p.sha256) entry.sample.push_back(p);
    }

    TempFile plain(o.temp_dir, "snapshot");
    auto got = api.DownloadSnapshot(entry.name, snap->name, plain.path());
    if (!got.ok()) return got.status();
    if (!snap->checksum.empty() && snap->checksum != *got) {
      return base::Status::Corruption("snapshot " + snap->name + " of " + entry.name +
                                      ": downloaded sha256 " + *got +
                                      " does not match the server's checksum " + snap->checksum);
    }
    entry.snapshot_sha256 = *got;
    entry.snapshot_size = fs::file_size(plain.path());
    if (o.key) {
      TempFile enc(o.temp_dir, "snapshot.enc");
      auto sum = EncryptFile(plain.path(), enc.path(), *o.key, entry.object);
      if (!sum.ok()) return sum.status();
      entry.sha256 = *sum;
      entry.size = fs::file_size(enc.path());
      return store.PutFile(entry.object, enc.path());
    }
    entry.sha256 = *got;
    entry.size = entry.snapshot_size;
    return store.PutFile(entry.object, plain.path());
  }();
  base::Status del = api.DeleteSnapshot(entry.name, snap->name);
  if (!del.ok()) log("warning: could not delete server-side snapshot: " + del.message());
  return st;
}

base::Status ApplyRetention(ObjectStore& store, const RetentionPolicy& policy,
                            const std::string& current, std::vector<std::string>& deleted,
                            void (*log)(const std::string&)) {
  auto listed = ListBackups(store);
  if (!listed.ok()) return listed.status();
  std::vector<BackupRef> complete;
  for (const auto& b : *listed) {
    if (b.complete && b.manifest) complete.push_back({b.id, TimeOfBackupId(b.id)});
  }
  std::vector<std::string> doomed = SelectForDeletion(complete, policy, std::time(nullptr));
  // Incomplete leftovers older than this run are debris of interrupted runs.
  for (const auto& b : *listed) {
    if (!b.complete && b.id < current) doomed.push_back(b.id);
  }
  for (const auto& id : doomed) {
    if (id == current) continue;  // never the backup just written
    auto objects = store.List(id + "/");
    if (!objects.ok()) return objects.status();
    // The manifest goes first: a half-deleted backup is then incomplete, never "complete but
    // missing files".
    QUIVER_RETURN_IF_ERROR(store.Delete(id + "/" + kManifestName));
    for (const auto& obj : *objects) QUIVER_RETURN_IF_ERROR(store.Delete(obj.key));
    deleted.push_back(id);
    log("retention: deleted backup " + id);
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<BackupRunResult> RunBackupOnce(ObjectStore& store, const BackupRunOptions& o,
                                            void (*log)(const std::string&)) {
  if (o.urls.empty()) return base::Status::BadInput("no --url given");
  auto t0 = std::chrono::steady_clock::now();
  Manifest m;
  m.created_at = std::time(nullptr);
  m.id = BackupIdFor(m.created_at);
  m.quiver_version = o.quiver_version;
  if (o.key) {
    m.encryption = "AES-256-GCM";
    m.key_id = KeyId(*o.key);
  }
  // Ids have one-second resolution: a run in the same second as the previous one waits for the
  // next.
  for (int attempt = 0;; ++attempt) {
    auto existing = store.List(m.id + "/" + kManifestName);
    if (!existing.ok()) return existing.status();
    if (existing->empty()) break;
    if (attempt == 3) return base::Status::AlreadyExists("backup " + m.id + " already exists");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    m.created_at = std::time(nullptr);
    m.id = BackupIdFor(m.created_at);
  }

  for (size_t n = 0; n < o.urls.size(); ++n) {
    QdrantClient api(o.server.EndpointFor(o.urls[n]));
    NodeInfo node;
    node.url = ingest::RedactUrl(api.url());
    QUIVER_RETURN_IF_ERROR(api.ServerInfo(node.server_title, node.server_version));
    m.nodes.push_back(node);
    auto all = api.ListCollections();
    if (!all.ok()) return all.status();
    std::vector<std::string> names = o.collections.empty() ? *all : o.collections;
    for (const auto& name : names) {
      if (std::find(all->begin(), all->end(), name) == all->end()) {
        return base::Status::NotFound("collection " + name + " does not exist on " + node.url);
      }
    }
    for (size_t i = 0; i < names.size(); ++i) {
      CollectionEntry e;
      e.name = names[i];
      e.node = static_cast<int>(n);
      e.object = m.id + "/node-" + std::to_string(n) + "/collection-" + std::to_string(i) +
                 ".snapshot" + (o.key ? ".enc" : "");
      log("backing up " + e.name + " from " + node.url);
      base::Status st = BackupCollection(store, api, o, e, log);
      if (!st.ok()) {
        return base::Status(st.code(),
                            "collection " + e.name + " on " + node.url + ": " + st.message());
      }
      log("  " + std::to_string(e.points_after) + " points, " + std::to_string(e.size) +
          " bytes, sha256 " + e.sha256);
      m.collections.push_back(std::move(e));
    }
  }
  m.duration_sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // The manifest last: only now is the backup complete.
  QUIVER_RETURN_IF_ERROR(store.PutBytes(m.id + "/" + kManifestName, ManifestToJson(m)));
  BackupRunResult result;
  result.id = m.id;
  result.bytes = m.TotalBytes();
  result.collections = m.collections.size();
  // Multipart uploads left open by an earlier run killed mid-upload (it could not abort them):
  // abort those started before this run, so no orphaned parts stay billed. Not S3: nothing to do.
  // A failure here does not fail the backup (the bucket's lifecycle rule is the backstop).
  auto aborted = AbortIncompleteS3Uploads(store, m.created_at);
  if (!aborted.ok()) {
    log("warning: could not clean up incomplete uploads: " + aborted.status().message());
  } else if (*aborted > 0) {
    log("aborted " + std::to_string(*aborted) + " incomplete upload(s) left by an interrupted run");
  }
  if (o.retention.Any()) {
    base::Status st = ApplyRetention(store, o.retention, m.id, result.deleted, log);
    if (!st.ok()) {
      return base::Status(st.code(),
                          "backup " + m.id + " is complete, but retention failed: " + st.message());
    }
  }
  result.duration_sec =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

base::Result<std::vector<ListedBackup>> ListBackups(ObjectStore& store) {
  auto objects = store.List("");
  if (!objects.ok()) return objects.status();
  std::map<std::string, ListedBackup> by_id;
  for (const auto& obj : *objects) {
    size_t slash = obj.key.find('/');
    if (slash == std::string::npos) continue;
    std::string id = obj.key.substr(0, slash);
    if (!IsValidBackupId(id)) continue;
    ListedBackup& b = by_id[id];
    b.id = id;
    b.objects++;
    b.bytes += obj.size;
    if (obj.key == id + "/" + kManifestName) b.complete = true;
  }
  std::vector<ListedBackup> out;
  for (auto& [id, b] : by_id) {
    if (b.complete) {
      auto text = store.GetBytes(id + "/" + kManifestName);
      if (!text.ok()) {
        b.problem = text.status().message();
      } else {
        auto m = ParseManifest(*text);
        if (!m.ok()) {
          b.problem = m.status().message();
        } else if (m->id != id) {
          b.problem = "manifest id " + m->id + " does not match its location";
        } else {
          b.manifest = std::move(m).value();
        }
      }
    }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace quiver::ops::backup
