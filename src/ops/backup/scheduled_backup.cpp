#include "ops/backup/scheduled_backup.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "base/file_system.h"
#include "base/stats.h"
#include "ops/objstore/open_object_store.h"
#include "ops/snapshot/sha256.h"
#include "wire/json_out.h"

namespace quiver::ops {
namespace {

namespace fs = std::filesystem;
constexpr const char* kManifest = "MANIFEST.json";

std::string BackupId(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H-%M-%SZ", &tm);
  return buf;
}

struct Metrics {
  base::Gauge& last_success;
  base::Gauge& last_failure;
  base::Gauge& duration;
  base::Gauge& bytes;
  base::Counter& ok;
  base::Counter& failed;
};

Metrics& Stats() {
  auto& r = base::StatsRegistry::Global();
  static Metrics m{
      r.Gauge("quiver_backup_last_success_timestamp_seconds", "last successful backup (unix time)",
              {"schedule"})
          .With({"server"}),
      r.Gauge("quiver_backup_last_failure_timestamp_seconds", "last failed backup (unix time)",
              {"schedule"})
          .With({"server"}),
      r.Gauge("quiver_backup_duration_seconds", "duration of the last backup", {"schedule"})
          .With({"server"}),
      r.Gauge("quiver_backup_bytes", "bytes written by the last backup", {"schedule"})
          .With({"server"}),
      r.Counter("quiver_backup_runs_total", "backup runs", {"schedule", "result"})
          .With({"server", "success"}),
      r.Counter("quiver_backup_runs_total", "backup runs", {"schedule", "result"})
          .With({"server", "failure"}),
  };
  return m;
}

}  // namespace

std::vector<std::string> ListCompleteBackups(const std::string& target_dir) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(target_dir, ec)) {
    if (e.is_directory() && fs::exists(e.path() / kManifest)) ids.push_back(e.path().filename());
  }
  std::sort(ids.begin(), ids.end());  // ids are UTC timestamps: lexical order is time order
  return ids;
}

namespace {

// "2026-11-24T01-30-00Z": only such first key components are ever deleted from an object store
// (the prefix may hold other things).
bool LooksLikeBackupId(const std::string& id) {
  const char* pat = "dddd-dd-ddTdd-dd-ddZ";
  if (id.size() != 20) return false;
  for (size_t i = 0; i < 20; ++i) {
    if (pat[i] == 'd' ? !(id[i] >= '0' && id[i] <= '9') : id[i] != pat[i]) return false;
  }
  return true;
}

// Where each collection's snapshot goes: written at `path`, then `commit` makes it part of the
// backup as `<id>/<file>` (local: fsync in place; S3: upload, then remove the staged file).
struct Sink {
  std::function<std::string(const std::string& file)> path_for;
  std::function<base::Status(const std::string& file, const std::string& path)> commit;
  std::function<void(const std::string& path)> discard;
};

// Snapshots every collection through `sink` and returns the manifest (not yet written). The
// manifest is a superset: the server's own fields (file, points, aliases) and those of
// `quiver backup` (format, nodes, object, snapshot_sha256, points_before/after), so that `quiver
// backup list/verify` and `quiver restore` read what the server wrote.
base::Result<std::string> SnapshotAll(engine::Catalog& catalog, const SnapshotOptions& snapshots,
                                      const BackupOptions& options, const Sink& sink,
                                      BackupResult& result, int64_t started_unix,
                                      std::chrono::steady_clock::time_point started) {
  wire::JsonOut m;
  m.BeginObject().Key("format").String("quiver-backup").Key("format_version").Uint(1);
  m.Key("id").String(result.id);
  m.Key("quiver_version").String(options.quiver_version);
  m.Key("created_at").Int(started_unix);
  m.Key("encryption").Null();
  m.Key("nodes").BeginArray();
  m.BeginObject().Key("url").String("server").Key("server_title").String("quiver");
  m.Key("server_version").String(options.quiver_version).EndObject();
  m.EndArray();
  m.Key("collections").BeginArray();
  size_t index = 0;
  for (const auto& name : catalog.ListCollections()) {
    // Files are numbered: collection names may hold characters that are awkward in file names.
    std::string file = "collection-" + std::to_string(index++) + ".snapshot";
    std::string path = sink.path_for(file);
    auto before_c = catalog.Get(name);
    uint64_t before = before_c.ok() ? before_c.value()->Count(std::nullopt).value() : 0;
    base::Status st = WriteCollectionSnapshot(catalog, name, path, snapshots);
    if (st.code() == base::StatusCode::kNotFound) {  // deleted meanwhile
      sink.discard(path);
      continue;
    }
    if (!st.ok()) {
      sink.discard(path);
      return st;
    }
    auto sum = Sha256OfFile(path);
    if (!sum.ok()) {
      sink.discard(path);
      return sum.status();
    }
    std::error_code ec;
    uint64_t size = fs::file_size(path, ec);
    auto c = catalog.Get(name);
    uint64_t points = c.ok() ? c.value()->Count(std::nullopt).value() : 0;
    QUIVER_RETURN_IF_ERROR(sink.commit(file, path));
    m.BeginObject().Key("name").String(name).Key("file").String(file);
    m.Key("size").Uint(size).Key("sha256").String(sum.value()).Key("points").Uint(points);
    m.Key("node").Uint(0).Key("object").String(result.id + "/" + file);
    m.Key("snapshot_name").String(file).Key("snapshot_size").Uint(size);
    m.Key("snapshot_sha256").String(sum.value());
    m.Key("points_before").Uint(before).Key("points_after").Uint(points);
    m.EndObject();
    result.bytes += size;
    ++result.collections;
  }
  m.EndArray();
  m.Key("aliases").BeginArray();
  for (const auto& [alias, target] : catalog.ListAliases(std::nullopt)) {
    m.BeginObject()
        .Key("alias_name")
        .String(alias)
        .Key("collection_name")
        .String(target)
        .EndObject();
  }
  m.EndArray();
  m.Key("duration_seconds")
      .Double(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  m.Key("total_bytes").Uint(result.bytes);
  m.EndObject();
  return m.str();
}

base::Result<BackupResult> RunLocalBackup(engine::Catalog& catalog,
                                          const SnapshotOptions& snapshots,
                                          const BackupOptions& options, const std::string& target) {
  auto started = std::chrono::steady_clock::now();
  int64_t started_unix = std::time(nullptr);
  base::FileSystem* fsys = base::FileSystem::Default();
  QUIVER_RETURN_IF_ERROR(fsys->CreateDirs(target));
  // Leftovers of interrupted runs (no manifest) are never complete: remove them.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(target, ec)) {
    if (e.is_directory() && !fs::exists(e.path() / kManifest)) fs::remove_all(e.path(), ec);
  }
  BackupResult result;
  result.id = BackupId(std::chrono::system_clock::now());
  const std::string dir = target + "/" + result.id;
  if (fsys->Exists(dir + "/" + kManifest)) {
    return base::Status::AlreadyExists("backup " + result.id + " already exists");
  }
  QUIVER_RETURN_IF_ERROR(fsys->CreateDirs(dir));
  Sink sink;
  sink.path_for = [&](const std::string& file) { return dir + "/" + file; };
  sink.commit = [&](const std::string&, const std::string& path) -> base::Status {
    auto f = fsys->OpenAppend(path);  // make the snapshot durable before the manifest names it
    if (!f.ok()) return f.status();
    return f.value()->Sync();
  };
  sink.discard = [](const std::string&) {};  // the directory goes as an incomplete leftover
  auto manifest = SnapshotAll(catalog, snapshots, options, sink, result, started_unix, started);
  if (!manifest.ok()) return manifest.status();
  // The manifest goes last, atomically: a backup without it is incomplete.
  QUIVER_RETURN_IF_ERROR(fsys->SyncDir(dir));
  QUIVER_RETURN_IF_ERROR(fsys->WriteFileAtomic(dir + "/" + kManifest, manifest.value()));
  // Retention: only after success, and never the newest good backup.
  auto complete = ListCompleteBackups(target);
  uint64_t keep = std::max<uint64_t>(options.keep_last, 1);
  for (size_t i = 0; i + keep < complete.size(); ++i) {
    fs::remove_all(fs::path(target) / complete[i], ec);
  }
  return result;
}

// Backup ids in an object store listing: complete (with MANIFEST.json) and every key per id.
struct StoreListing {
  std::map<std::string, std::vector<std::string>> keys;  // id -> keys
  std::set<std::string> complete;
};

base::Result<StoreListing> ListStore(ObjectStore& store) {
  auto objects = store.List("");
  if (!objects.ok()) return objects.status();
  StoreListing l;
  for (const auto& o : objects.value()) {
    auto slash = o.key.find('/');
    if (slash == std::string::npos) continue;
    std::string id = o.key.substr(0, slash);
    if (!LooksLikeBackupId(id)) continue;
    l.keys[id].push_back(o.key);
    if (o.key == id + "/" + kManifest) l.complete.insert(id);
  }
  return l;
}

// Deletes a backup's objects, the manifest first: an interrupted deletion leaves an incomplete
// backup (cleaned up by the next run), never a complete-looking one with objects missing.
base::Status DeleteBackup(ObjectStore& store, const std::string& id,
                          const std::vector<std::string>& keys) {
  const std::string manifest = id + "/" + kManifest;
  for (const auto& k : keys) {
    if (k == manifest) QUIVER_RETURN_IF_ERROR(store.Delete(k));
  }
  for (const auto& k : keys) {
    if (k != manifest) QUIVER_RETURN_IF_ERROR(store.Delete(k));
  }
  return base::Status::Ok();
}

base::Result<BackupResult> RunStoreBackup(engine::Catalog& catalog,
                                          const SnapshotOptions& snapshots,
                                          const BackupOptions& options) {
  auto started = std::chrono::steady_clock::now();
  int64_t started_unix = std::time(nullptr);
  // Opened per run: credentials (e.g. web identity) are resolved afresh each time.
  auto opened = OpenObjectStore(options.target_dir, options.s3);
  if (!opened.ok()) return opened.status();
  ObjectStore& store = *opened.value();
  // Leftovers of interrupted runs: objects of ids without a manifest, and multipart uploads.
  auto listing = ListStore(store);
  if (!listing.ok()) return listing.status();
  for (const auto& [id, keys] : listing.value().keys) {
    if (!listing.value().complete.count(id)) {
      spdlog::warn("backup: removing incomplete backup {} from {}", id, store.Describe());
      QUIVER_RETURN_IF_ERROR(DeleteBackup(store, id, keys));
    }
  }
  if (auto aborted = AbortIncompleteS3Uploads(store, started_unix); !aborted.ok()) {
    spdlog::warn("backup: cannot abort leftover uploads: {}", aborted.status().message());
  }
  BackupResult result;
  result.id = BackupId(std::chrono::system_clock::now());
  if (listing.value().complete.count(result.id)) {
    return base::Status::AlreadyExists("backup " + result.id + " already exists");
  }
  base::FileSystem* fsys = base::FileSystem::Default();
  std::string staging = options.staging_dir.empty() ? snapshots.snapshots_path + "/.backup:staging"
                                                    : options.staging_dir;
  QUIVER_RETURN_IF_ERROR(fsys->CreateDirs(staging));
  Sink sink;
  sink.path_for = [&](const std::string& file) { return staging + "/" + result.id + "-" + file; };
  sink.discard = [](const std::string& path) {
    std::error_code ec;
    fs::remove(path, ec);
  };
  sink.commit = [&](const std::string& file, const std::string& path) -> base::Status {
    base::Status st = store.PutFile(result.id + "/" + file, path);
    sink.discard(path);
    return st;
  };
  auto manifest = SnapshotAll(catalog, snapshots, options, sink, result, started_unix, started);
  if (!manifest.ok()) return manifest.status();
  // The manifest goes last: a backup without it is incomplete (and removed by the next run).
  QUIVER_RETURN_IF_ERROR(store.PutBytes(result.id + "/" + kManifest, manifest.value()));
  // Retention: only after success, and never the newest good backup.
  auto after = ListStore(store);
  if (!after.ok()) return after.status();
  if (!after.value().complete.count(result.id)) {
    return base::Status::Internal("backup " + result.id + " is not listed after its upload");
  }
  std::vector<std::string> complete(after.value().complete.begin(), after.value().complete.end());
  uint64_t keep = std::max<uint64_t>(options.keep_last, 1);
  for (size_t i = 0; i + keep < complete.size(); ++i) {
    QUIVER_RETURN_IF_ERROR(DeleteBackup(store, complete[i], after.value().keys[complete[i]]));
  }
  return result;
}

}  // namespace

base::Status CheckBackupTarget(const BackupOptions& options) {
  if (!IsS3Url(options.target_dir)) return base::Status::Ok();
  auto store = OpenObjectStore(options.target_dir, options.s3);
  return store.ok() ? base::Status::Ok() : store.status();
}

base::Result<BackupResult> RunBackup(engine::Catalog& catalog, const SnapshotOptions& snapshots,
                                     const BackupOptions& options) {
  if (IsS3Url(options.target_dir)) return RunStoreBackup(catalog, snapshots, options);
  std::string target = options.target_dir;
  if (target.rfind("file://", 0) == 0) target = target.substr(7);
  return RunLocalBackup(catalog, snapshots, options, target);
}

ScheduledBackup::ScheduledBackup(engine::Catalog* catalog, SnapshotOptions snapshots,
                                 BackupOptions options, CronSchedule schedule)
    : catalog_(catalog),
      snapshots_(std::move(snapshots)),
      options_(std::move(options)),
      schedule_(std::move(schedule)) {}

ScheduledBackup::~ScheduledBackup() { Stop(); }

void ScheduledBackup::Start() {
  base::StatsRegistry::Global()
      .Gauge("quiver_backup_schedule_interval_seconds", "interval of the backup schedule",
             {"schedule"})
      .With({"server"})
      .Set(double(schedule_.Interval().count()));
  thread_ = std::thread([this] { Loop(); });
}

void ScheduledBackup::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ScheduledBackup::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    auto next = schedule_.Next(std::chrono::system_clock::now());
    if (cv_.wait_until(lock, next, [this] { return stop_; })) break;
    lock.unlock();
    auto started = std::chrono::steady_clock::now();
    auto r = RunBackup(*catalog_, snapshots_, options_);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    Metrics& m = Stats();
    m.duration.Set(secs);
    if (r.ok()) {
      m.ok.Inc();
      m.bytes.Set(double(r.value().bytes));
      m.last_success.Set(double(std::time(nullptr)));
      spdlog::info("backup {}: {} collections, {} bytes in {:.1f}s to {}", r.value().id,
                   r.value().collections, r.value().bytes, secs, options_.target_dir);
    } else {
      m.failed.Inc();
      m.last_failure.Set(double(std::time(nullptr)));
      spdlog::error("backup failed: {}", r.status().message());
    }
    lock.lock();
  }
}

}  // namespace quiver::ops
