#include "ops/backup/scheduled_backup.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "base/file_system.h"
#include "base/stats.h"
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

base::Result<BackupResult> RunBackup(engine::Catalog& catalog, const SnapshotOptions& snapshots,
                                     const BackupOptions& options) {
  base::FileSystem* fsys = base::FileSystem::Default();
  QUIVER_RETURN_IF_ERROR(fsys->CreateDirs(options.target_dir));
  // Leftovers of interrupted runs (no manifest) are never complete: remove them.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(options.target_dir, ec)) {
    if (e.is_directory() && !fs::exists(e.path() / kManifest)) fs::remove_all(e.path(), ec);
  }
  BackupResult result;
  result.id = BackupId(std::chrono::system_clock::now());
  const std::string dir = options.target_dir + "/" + result.id;
  if (fsys->Exists(dir + "/" + kManifest)) {
    return base::Status::AlreadyExists("backup " + result.id + " already exists");
  }
  QUIVER_RETURN_IF_ERROR(fsys->CreateDirs(dir));
  wire::JsonOut m;
  m.BeginObject().Key("format_version").Uint(1).Key("id").String(result.id);
  m.Key("quiver_version").String(options.quiver_version);
  m.Key("collections").BeginArray();
  size_t index = 0;
  for (const auto& name : catalog.ListCollections()) {
    // Files are numbered: collection names may hold characters that are awkward in file names.
    std::string file = "collection-" + std::to_string(index++) + ".snapshot";
    std::string path = dir + "/" + file;
    base::Status st = WriteCollectionSnapshot(catalog, name, path, snapshots);
    if (st.code() == base::StatusCode::kNotFound) continue;  // deleted meanwhile
    QUIVER_RETURN_IF_ERROR(st);
    {
      auto f = fsys->OpenAppend(path);  // make the snapshot durable before the manifest names it
      if (!f.ok()) return f.status();
      QUIVER_RETURN_IF_ERROR(f.value()->Sync());
    }
    auto sum = Sha256OfFile(path);
    if (!sum.ok()) return sum.status();
    uint64_t size = fs::file_size(path, ec);
    auto c = catalog.Get(name);
    uint64_t points = c.ok() ? c.value()->Count(std::nullopt).value() : 0;
    m.BeginObject().Key("name").String(name).Key("file").String(file);
    m.Key("size").Uint(size).Key("sha256").String(sum.value()).Key("points").Uint(points);
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
  m.Key("created_at").Int(std::time(nullptr)).EndObject();
  // The manifest goes last, atomically: a backup without it is incomplete.
  QUIVER_RETURN_IF_ERROR(fsys->SyncDir(dir));
  QUIVER_RETURN_IF_ERROR(fsys->WriteFileAtomic(dir + "/" + kManifest, m.str()));
  // Retention: only after success, and never the newest good backup.
  auto complete = ListCompleteBackups(options.target_dir);
  uint64_t keep = std::max<uint64_t>(options.keep_last, 1);
  for (size_t i = 0; i + keep < complete.size(); ++i) {
    fs::remove_all(fs::path(options.target_dir) / complete[i], ec);
  }
  return result;
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
