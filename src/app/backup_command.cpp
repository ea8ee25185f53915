#include "app/backup_command.h"

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <mutex>
#include <thread>

#include "net/http_server.h"
#include "ops/backup/cron_schedule.h"
#include "ops/backup_tool/metrics_file.h"
#include "ops/objstore/open_object_store.h"

#ifndef QUIVER_VERSION
#define QUIVER_VERSION "0.0.0"
#endif

namespace quiver::app {
namespace bk = ops::backup;

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

std::string NowText() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

base::Result<std::unique_ptr<ops::ObjectStore>> OpenStore(const BackupCommonOptions& o) {
  if (!o.s3.sse.empty() && o.s3.sse != "AES256" && o.s3.sse != "aws:kms") {
    return base::Status::BadInput("--sse must be AES256 or aws:kms (got \"" + o.s3.sse + "\")");
  }
  if (!ops::IsS3Url(o.location) && !o.s3.sse.empty()) {
    LogLine("note: --sse applies to s3:// targets only; ignored for " + o.location);
  }
  return ops::OpenObjectStore(o.location, o.s3);
}

bk::ServerOptions ServerOf(const BackupCommonOptions& o) {
  bk::ServerOptions s;
  s.api_key = o.api_key;
  if (s.api_key.empty()) {
    for (const char* name : {"QUIVER_API_KEY", "QDRANT_API_KEY"}) {
      if (const char* v = std::getenv(name); v && *v) {
        s.api_key = v;
        break;
      }
    }
  }
  s.ca_cert = o.ca_cert;
  s.insecure = o.insecure;
  return s;
}

base::Result<std::optional<bk::EncryptionKey>> KeyOf(const BackupCommonOptions& o) {
  return bk::LoadEncryptionKey(o.encryption_key_file, "QUIVER_BACKUP_ENCRYPTION_KEY");
}

// GET /metrics (and /healthz) of a `--schedule` process, so Prometheus can scrape it directly
// (a sidecar or a VM) instead of through a node exporter's textfile collector.
class MetricsEndpoint {
 public:
  base::Status Start(const std::string& listen, const bk::BackupMetrics& initial) {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) {
      return base::Status::BadInput("--metrics-listen must be HOST:PORT (got \"" + listen + "\")");
    }
    net::HttpServerOptions opts;
    opts.host = listen.substr(0, colon);
    int port = std::atoi(listen.c_str() + colon + 1);
    if (port <= 0 || port > 65535) {
      return base::Status::BadInput("--metrics-listen: bad port in \"" + listen + "\"");
    }
    opts.port = static_cast<uint16_t>(port);
    opts.threads = 1;
    Update(initial);
    server_ = std::make_unique<net::HttpServer>(
        opts, [this](net::HttpRequest&& req, net::Responder respond) {
          net::HttpResponse r;
          if (req.method == "GET" && req.path == "/metrics") {
            std::lock_guard lock(mu_);
            r.content_type = "text/plain; version=0.0.4";
            r.body = text_;
          } else if (req.method == "GET" && req.path == "/healthz") {
            r.content_type = "text/plain";
            r.body = "ok";
          } else {
            r.status = 404;
            r.content_type = "text/plain";
            r.body = "not found";
          }
          respond(std::move(r));
        });
    return server_->Start();
  }
  void Update(const bk::BackupMetrics& m) {
    std::lock_guard lock(mu_);
    text_ = bk::RenderMetrics(m);
  }
  void Stop() {
    if (server_) server_->Stop(1);
  }

 private:
  std::mutex mu_;
  std::string text_;
  std::unique_ptr<net::HttpServer> server_;
};

int RunBackup(BackupCommandOptions& o) {
  bk::BackupRunOptions run;
  run.urls = o.common.urls;
  run.collections = o.collections;
  run.server = ServerOf(o.common);
  run.temp_dir = o.common.temp_dir;
  run.quiver_version = QUIVER_VERSION;
  run.retention.keep_last = o.keep_last;
  run.retention.keep_daily = o.keep_daily;
  run.retention.keep_weekly = o.keep_weekly;
  if (!o.max_age.empty()) {
    auto age = bk::ParseDuration(o.max_age);
    if (!age.ok()) return Fail(age.status());
    run.retention.max_age_sec = *age;
  }
  // Fail closed: a configured key that cannot be used stops here, before anything is uploaded.
  auto key = KeyOf(o.common);
  if (!key.ok()) return Fail(key.status());
  run.key = *key;
  std::optional<ops::CronSchedule> schedule;
  if (!o.schedule.empty()) {
    auto s = ops::CronSchedule::Parse(o.schedule);
    if (!s.ok()) return Fail(s.status());
    schedule = *s;
  }
  auto store = OpenStore(o.common);
  if (!store.ok()) return Fail(store.status());

  bk::BackupMetrics metrics;
  metrics.schedule = !o.schedule_name.empty() ? o.schedule_name : schedule ? "scheduled" : "cli";
  if (schedule) metrics.interval_sec = static_cast<double>(schedule->Interval().count());
  if (!o.metrics_file.empty()) bk::LoadMetricsFile(o.metrics_file, metrics);

  MetricsEndpoint endpoint;
  if (!o.metrics_listen.empty()) {
    if (!schedule) return Fail(base::Status::BadInput("--metrics-listen needs --schedule"));
    base::Status st = endpoint.Start(o.metrics_listen, metrics);
    if (!st.ok()) return Fail(st);
    LogLine("serving metrics on http://" + o.metrics_listen + "/metrics");
  }
  auto once = [&]() -> int {
    auto r = bk::RunBackupOnce(**store, run, LogLine);
    double now = static_cast<double>(std::time(nullptr));
    if (r.ok()) {
      metrics.last_success_unix = now;
      metrics.duration_sec = r->duration_sec;
      metrics.bytes = r->bytes;
      metrics.success_total++;
      LogLine("backup " + r->id + " complete: " + std::to_string(r->collections) +
              " collections, " + std::to_string(r->bytes) + " bytes in " +
              std::to_string(r->duration_sec) + "s to " + (*store)->Describe());
    } else {
      metrics.last_failure_unix = now;
      metrics.failure_total++;
    }
    endpoint.Update(metrics);
    if (!o.metrics_file.empty()) {
      base::Status st = bk::WriteMetricsFile(o.metrics_file, metrics);
      if (!st.ok()) LogLine("warning: " + st.message());
    }
    return r.ok() ? bk::kExitOk : Fail(r.status());
  };
  if (!schedule) return once();

  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  if (!o.metrics_file.empty()) (void)bk::WriteMetricsFile(o.metrics_file, metrics);
  LogLine("backing up on schedule \"" + schedule->expression() + "\" (UTC) to " +
          (*store)->Describe());
  while (!g_stop) {
    auto next = schedule->Next(std::chrono::system_clock::now());
    while (!g_stop && std::chrono::system_clock::now() < next) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (g_stop) break;
    once();  // a failure is logged and counted; the next slot tries again
  }
  LogLine("stopping");
  endpoint.Stop();
  return bk::kExitOk;
}

int RunList(BackupCommandOptions& o) {
  auto store = OpenStore(o.common);
  if (!store.ok()) return Fail(store.status());
  auto listed = bk::ListBackups(**store);
  if (!listed.ok()) return Fail(listed.status());
  for (const auto& b : *listed) {
    std::string state = !b.complete ? "INCOMPLETE" : b.manifest ? "complete" : "UNREADABLE";
    std::cout << b.id << "  " << state << "  " << b.bytes << " bytes";
    if (b.manifest) {
      std::cout << "  " << b.manifest->collections.size() << " collections";
      if (!b.manifest->encryption.empty()) std::cout << "  encrypted";
    }
    if (!b.problem.empty()) std::cout << "  (" << b.problem << ")";
    std::cout << "\n";
  }
  return bk::kExitOk;
}

int RunVerify(BackupCommandOptions& o) {
  auto key = KeyOf(o.common);
  if (!key.ok()) return Fail(key.status());
  auto store = OpenStore(o.common);
  if (!store.ok()) return Fail(store.status());
  bk::Selector sel;
  sel.id = o.id;
  sel.latest = o.latest || o.id.empty();
  auto m = bk::SelectBackup(**store, sel);
  if (!m.ok()) return Fail(m.status());
  LogLine("verifying backup " + m->id + " in " + (*store)->Describe());
  base::Status st =
      bk::Verify(**store, *m, *key, o.restore_into, ServerOf(o.common), o.common.temp_dir, LogLine);
  if (!st.ok()) return Fail(st);
  LogLine("backup " + m->id + " verified" +
          (o.restore_into.empty() ? "" : " and restored into " + o.restore_into));
  return bk::kExitOk;
}

}  // namespace

void LogLine(const std::string& line) { std::cerr << NowText() << " " << line << std::endl; }

int Fail(const base::Status& status) {
  int code = bk::ExitCodeOf(status);
  std::cerr << NowText() << " error: " << status.message() << " (exit " << code << ")" << std::endl;
  return code;
}

void AddCommonOptions(CLI::App* cmd, BackupCommonOptions& o, bool servers) {
  if (servers) {
    cmd->add_option("--api-key", o.api_key,
                    "API key (default: $QUIVER_API_KEY, else $QDRANT_API_KEY); never printed");
    cmd->add_option("--ca-cert", o.ca_cert, "PEM file of CA certificates for https servers");
    cmd->add_flag("--insecure", o.insecure, "Do not verify the servers' TLS certificates");
  }
  cmd->add_option("--encryption-key-file", o.encryption_key_file,
                  "AES-256 key (32 raw bytes or 64 hex digits); default: "
                  "$QUIVER_BACKUP_ENCRYPTION_KEY (64 hex digits)");
  cmd->add_option("--temp-dir", o.temp_dir, "Where snapshots are staged (default: $TMPDIR)");
  cmd->add_option("--sse", o.s3.sse, "S3 server-side encryption: AES256 or aws:kms");
  cmd->add_option("--sse-kms-key-id", o.s3.sse_kms_key_id, "S3: KMS key for --sse aws:kms");
  cmd->add_option("--storage-class", o.s3.storage_class, "S3 storage class (e.g. STANDARD_IA)");
  cmd->add_option("--s3-endpoint", o.s3.endpoint,
                  "S3 endpoint URL (MinIO, s3rver; default $AWS_ENDPOINT_URL_S3)");
  cmd->add_option("--s3-region", o.s3.region, "S3 region (default $AWS_REGION)");
  cmd->add_flag("--s3-path-style", o.s3.path_style, "S3 path-style addressing");
  cmd->add_option("--s3-ca-cert", o.s3.ca_file, "PEM CA bundle for a private S3 endpoint");
  cmd->add_option("--s3-part-size", o.s3.part_size,
                  "S3 multipart part size in bytes (default 16 MiB; AWS needs >= 5 MiB)");
  cmd->add_option("--s3-parallel-parts", o.s3.parallel_parts,
                  "S3 parts uploaded at once (default 4)")
      ->check(CLI::Range(1, 64));
}

BackupCommands AddBackupCommands(CLI::App& app, BackupCommandOptions& b, RestoreCommandOptions& r) {
  BackupCommands c;
  c.backup = app.add_subcommand(
      "backup",
      "Back up collections of Qdrant-API servers (Quiver or Qdrant) to s3:// or file://\n"
      "Exit codes: 0 ok, 1 failed, 2 refused or bad arguments, 3 integrity check failed");
  c.backup->require_subcommand(1);
  c.run = c.backup->add_subcommand("run", "Snapshot every collection, store it, manifest last");
  c.run->add_option("--url", b.common.urls, "Server URL; repeat once per node of a cluster")
      ->required();
  c.run->add_option("--to", b.common.location, "s3://BUCKET/PREFIX, file:///DIR or a directory")
      ->required();
  c.run->add_option("--collections", b.collections, "Only these collections (a,b)")->delimiter(',');
  c.run->add_option("--keep-last", b.keep_last, "Retention: keep the N newest backups");
  c.run->add_option("--keep-daily", b.keep_daily, "Retention: newest backup of N days");
  c.run->add_option("--keep-weekly", b.keep_weekly, "Retention: newest backup of N weeks");
  c.run->add_option("--max-age", b.max_age, "Retention: delete backups older than (30d, 12h)");
  c.run->add_option("--schedule", b.schedule,
                    "Keep running, back up on this cron schedule (UTC; @daily, @every 6h)");
  c.run->add_option("--schedule-name", b.schedule_name,
                    "Value of the schedule label of the metrics (default cli / scheduled)");
  c.run->add_option("--metrics-file", b.metrics_file,
                    "Write quiver_backup_* metrics here (Prometheus text file) after each run");
  c.run->add_option("--metrics-listen", b.metrics_listen,
                    "With --schedule: serve GET /metrics on HOST:PORT (e.g. 0.0.0.0:9187)");
  AddCommonOptions(c.run, b.common, true);

  c.list = c.backup->add_subcommand("list", "List backups (complete and incomplete)");
  c.list->add_option("--from", b.common.location, "s3://BUCKET/PREFIX or file:///DIR")->required();
  AddCommonOptions(c.list, b.common, false);

  c.verify = c.backup->add_subcommand(
      "verify", "Check the sha256 of every object of a backup; optionally a restore drill");
  c.verify->add_option("--from", b.common.location, "s3://BUCKET/PREFIX or file:///DIR")
      ->required();
  c.verify->add_option("id", b.id, "Backup id (default: the latest complete backup)");
  c.verify->add_flag("--latest", b.latest, "The latest complete backup");
  c.verify->add_option("--restore-into", b.restore_into,
                       "Scratch server URL: restore every collection into it (replacing) and "
                       "compare point counts and sampled points");
  AddCommonOptions(c.verify, b.common, true);

  c.restore = app.add_subcommand(
      "restore",
      "Restore collections from a backup into a Qdrant-API server\n"
      "Exit codes: 0 ok, 1 failed, 2 refused or bad arguments, 3 integrity check failed");
  c.restore->add_option("--from", r.common.location, "s3://BUCKET/PREFIX or file:///DIR")
      ->required();
  c.restore
      ->add_option("--url", r.common.urls,
                   "Server URL; one, or one per node of the backup in its order")
      ->required();
  auto* id = c.restore->add_option("--backup", r.id, "Backup id");
  auto* latest = c.restore->add_flag("--latest", r.latest, "The latest complete backup (default)");
  auto* before = c.restore->add_option("--before", r.before,
                                       "The newest complete backup at or before this UTC time "
                                       "(2026-11-24T02:30:00Z or 2026-11-24)");
  id->excludes(latest)->excludes(before);
  latest->excludes(before);
  c.restore->add_option("--collections", r.collections, "Only these collections (a,b)")
      ->delimiter(',');
  c.restore->add_option("--rename", r.renames, "Restore collection a as b (a=b; repeatable)");
  c.restore->add_flag("--force", r.force, "Replace collections that already exist");
  c.restore->add_flag("--dry-run", r.dry_run, "Check the backup and say what would be done");
  c.restore
      ->add_option("--green-timeout", r.green_timeout_sec,
                   "Seconds to wait for each collection to become green")
      ->capture_default_str();
  AddCommonOptions(c.restore, r.common, true);
  return c;
}

int RunRestoreCommand(RestoreCommandOptions& r);  // restore_command.cpp

int RunBackupCommands(const BackupCommands& c, BackupCommandOptions& b, RestoreCommandOptions& r) {
  if (c.run->parsed()) return RunBackup(b);
  if (c.list->parsed()) return RunList(b);
  if (c.verify->parsed()) return RunVerify(b);
  if (c.restore->parsed()) return RunRestoreCommand(r);
  return bk::kExitRefused;
}

}  // namespace quiver::app
