// Snapshots: collection snapshots (create, list, download, delete, recover, upload) and
// full-storage snapshots (create, list, download, delete). Work runs off the I/O thread.
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

#include "api/multipart.h"
#include "api/rest_api.h"
#include "base/file_system.h"
#include "ops/snapshot/snapshot_download.h"
#include "ops/snapshot/snapshot_service.h"
#include "wire/snapshots_wire.h"

namespace quiver::api {
namespace {

using Work = std::function<base::Result<std::string>()>;

ops::SnapshotOptions SnapshotOptionsOf(const ApiContext& ctx) {
  ops::SnapshotOptions opt;
  opt.snapshots_path = ctx.options.snapshots_path;
  return opt;
}

std::vector<wire::SnapshotInfoOut> Out(const std::vector<ops::SnapshotDescription>& list) {
  std::vector<wire::SnapshotInfoOut> out;
  for (const auto& d : list) out.push_back({d.name, d.creation_time, d.size, d.checksum});
  return out;
}

std::string RenderOne(const ops::SnapshotDescription& d) {
  return wire::RenderSnapshotDescription({d.name, d.creation_time, d.size, d.checksum});
}

// Background snapshot threads, counted so that shutdown can wait for them.
std::mutex g_work_mu;
std::condition_variable g_work_cv;
int g_work_running = 0;

// Runs `work` on its own thread. wait=true answers with its result; wait=false answers 202
// {"status":"accepted"} at once and logs a failure.
void RunInBackground(std::shared_ptr<Call> call, bool wait, Work work) {
  if (!wait) call->Respond(AcceptedResponse(call->start()));
  {
    std::lock_guard lock(g_work_mu);
    ++g_work_running;
  }
  std::thread([call = std::move(call), wait, work = std::move(work)]() mutable {
    auto r = work();
    auto finished = [] {
      std::lock_guard lock(g_work_mu);
      --g_work_running;
      g_work_cv.notify_all();
    };
    if (wait) {
      if (r.ok()) {
        call->Ok(r.value());
      } else {
        call->Fail(r.status());
      }
    } else if (!r.ok()) {
      spdlog::error("snapshot operation {} {} failed: {}", call->req().method, call->req().path,
                    r.status().message());
    }
    call.reset();  // the responder goes before shutdown can proceed
    work = nullptr;
    finished();
  }).detach();
}

// Parses "bytes=a-b", "bytes=a-", "bytes=-n" against a file of `size` bytes into [first, last].
bool ParseRange(std::string_view h, uint64_t size, uint64_t& first, uint64_t& last) {
  if (h.rfind("bytes=", 0) != 0 || size == 0) return false;
  h.remove_prefix(6);
  if (h.find(',') != std::string_view::npos) return false;  // one range only
  size_t dash = h.find('-');
  if (dash == std::string_view::npos) return false;
  std::string a(h.substr(0, dash)), b(h.substr(dash + 1));
  auto num = [](const std::string& s, uint64_t& v) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 19) {
      return false;
    }
    v = std::stoull(s);
    return true;
  };
  if (a.empty()) {
    uint64_t n;
    if (!num(b, n) || n == 0) return false;
    first = n >= size ? 0 : size - n;
    last = size - 1;
    return true;
  }
  if (!num(a, first) || first >= size) return false;
  if (b.empty()) {
    last = size - 1;
  } else if (!num(b, last) || last < first) {
    return false;
  }
  last = std::min(last, size - 1);
  return true;
}

// The snapshot file `dir/name` as application/octet-stream, honouring a Range header.
void SendSnapshotFile(Call& call, const std::string& dir, const std::string& name) {
  auto d = ops::DescribeSnapshot(dir, name);
  if (!d.ok()) return call.Fail(d.status());
  const uint64_t size = d.value().size;
  uint64_t first = 0, last = size == 0 ? 0 : size - 1;
  net::HttpResponse r;
  r.content_type = "application/octet-stream";
  r.headers.emplace_back("accept-ranges", "bytes");
  r.headers.emplace_back("content-disposition", "attachment; filename=\"" + name + "\"");
  std::string_view range = call.req().Header("range");
  if (!range.empty()) {
    if (!ParseRange(range, size, first, last)) {
      r.status = 416;
      r.headers.emplace_back("content-range", "bytes */" + std::to_string(size));
      return call.Respond(std::move(r));
    }
    r.status = 206;
    r.headers.emplace_back("content-range", "bytes " + std::to_string(first) + "-" +
                                                std::to_string(last) + "/" + std::to_string(size));
  }
  if (range.empty()) {
    r.body_file = dir + "/" + name;  // streamed from disk by the server
    return call.Respond(std::move(r));
  }
  // A range is read into memory (clients fetch large files in bounded pieces).
  std::ifstream in(dir + "/" + name, std::ios::binary);
  if (size > 0) {
    r.body.resize(last - first + 1);
    in.seekg(static_cast<std::streamoff>(first));
    in.read(r.body.data(), static_cast<std::streamsize>(r.body.size()));
    if (!in) return call.Fail(base::Status::Internal("cannot read snapshot " + name));
  }
  call.Respond(std::move(r));
}

// The local path of a file:// location inside the snapshots directory, or the Status to answer.
base::Result<std::string> LocalSnapshotPath(const std::string& location,
                                            const std::string& snapshots_path) {
  size_t colon = location.find("://");
  std::string scheme = colon == std::string::npos ? "" : location.substr(0, colon);
  if (scheme != "file") {
    return base::Status::BadRequest("URL " + location + " with scheme " + scheme +
                                    " is not supported");
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path root = fs::weakly_canonical(fs::absolute(snapshots_path), ec);
  fs::path file = fs::weakly_canonical(fs::path(location.substr(colon + 3)), ec);
  std::string r = root.string(), f = file.string();
  if (ec || f.size() <= r.size() + 1 || f.compare(0, r.size(), r) != 0 || f[r.size()] != '/') {
    return base::Status::Forbidden("Snapshot file path must be inside the snapshots directory");
  }
  if (!fs::is_regular_file(file, ec)) {
    return base::Status::BadRequest("Snapshot file " + location + " does not exist");
  }
  return f;
}

bool IsRemoteUrl(const std::string& location) {
  std::string scheme = location.substr(0, location.find("://"));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return location.find("://") != std::string::npos && (scheme == "http" || scheme == "https");
}

// A temporary file in the collection's snapshot directory, removed when it goes.
struct TempSnapshotFile {
  std::string path;
  ~TempSnapshotFile() {
    if (!path.empty()) (void)base::FileSystem::Default()->Remove(path);
  }
};

std::string TempSnapshotPath(const std::string& dir, const char* kind) {
  return dir + "/." + kind + "-" + std::to_string(std::random_device{}()) + ".snapshot";
}

// PUT .../snapshots/recover with an http(s) location: checks (URL recovery enabled, host
// allowed) up front, then downloads into the collection's snapshot directory and recovers.
void RecoverFromUrl(ApiContext& ctx, std::shared_ptr<Call> call, const std::string& name, bool wait,
                    const wire::SnapshotRecoverRequest& req) {
  if (!ctx.options.enable_snapshot_url_recovery) {
    return call->Fail(base::Status::Forbidden(
        "Snapshot recovery from remote URLs is disabled (service.enable_snapshot_url_recovery)"));
  }
  auto host = ops::UrlHost(req.location);
  if (!host.ok()) return call->Fail(host.status());
  if (!ops::HostAllowed(host.value(), ctx.options.snapshot_url_allowed_hosts)) {
    return call->Fail(base::Status::Forbidden("Snapshot URL host `" + host.value() +
                                              "` is not in service.snapshot_url_allowed_hosts"));
  }
  ops::DownloadOptions dopt;
  dopt.allowed_hosts = ctx.options.snapshot_url_allowed_hosts;
  dopt.api_key = req.api_key;
  RunInBackground(call, wait,
                  [&ctx, name, url = req.location, checksum = req.checksum,
                   dopt = std::move(dopt)]() -> base::Result<std::string> {
                    auto opt = SnapshotOptionsOf(ctx);
                    const std::string dir = ops::CollectionSnapshotDir(opt, name);
                    QUIVER_RETURN_IF_ERROR(base::FileSystem::Default()->CreateDirs(dir));
                    TempSnapshotFile tmp{TempSnapshotPath(dir, "download")};
                    QUIVER_RETURN_IF_ERROR(ops::DownloadToFile(url, tmp.path, dopt));
                    QUIVER_RETURN_IF_ERROR(ops::RecoverCollectionSnapshot(*ctx.catalog, name,
                                                                          tmp.path, checksum, opt));
                    return std::string("true");
                  });
}

}  // namespace

// Snapshot uploads are the one route whose body is streamed to disk (no size limit); only for
// requests that pass the access check, so that nobody unauthenticated can fill the disk.
std::string RestApi::BodySpoolDir(const net::HttpRequest& head) const {
  if (head.method != "POST") return {};
  std::map<std::string, std::string> params;
  auto match = router_.Find(head.method, head.path, params);
  if (match.path_template != "/collections/{collection_name}/snapshots/upload") return {};
  Access access = Access::Manage();
  if (Admit(head, match.path_template, params, &access)) return {};
  return ctx_.options.snapshots_path + "/.uploads";
}

void WaitForSnapshotWork() {
  std::unique_lock lock(g_work_mu);
  g_work_cv.wait(lock, [] { return g_work_running == 0; });
}

void RegisterSnapshotRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/collections/{collection_name}/snapshots", [&ctx](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    auto opt = SnapshotOptionsOf(ctx);
    call->Ok(wire::RenderSnapshotList(
        Out(ops::ListSnapshots(ops::CollectionSnapshotDir(opt, c->name())))));
  });
  router.Add(
      "POST", "/collections/{collection_name}/snapshots", [&ctx](std::shared_ptr<Call> call) {
        auto c = CollectionOrFail(ctx, *call);
        if (!c) return;
        auto wait = call->QueryBool("wait", true);
        if (!wait.ok()) return call->Fail(wait.status());
        RunInBackground(
            call, wait.value(), [&ctx, name = c->name()]() -> base::Result<std::string> {
              auto d = ops::CreateCollectionSnapshot(*ctx.catalog, name, SnapshotOptionsOf(ctx));
              if (!d.ok()) return d.status();
              return RenderOne(d.value());
            });
      });
  router.Add("GET", "/collections/{collection_name}/snapshots/{snapshot_name}",
             [&ctx](std::shared_ptr<Call> call) {
               auto c = CollectionOrFail(ctx, *call);
               if (!c) return;
               SendSnapshotFile(*call,
                                ops::CollectionSnapshotDir(SnapshotOptionsOf(ctx), c->name()),
                                call->Param("snapshot_name"));
             });
  router.Add("DELETE", "/collections/{collection_name}/snapshots/{snapshot_name}",
             [&ctx](std::shared_ptr<Call> call) {
               auto c = CollectionOrFail(ctx, *call);
               if (!c) return;
               auto wait = call->QueryBool("wait", true);
               if (!wait.ok()) return call->Fail(wait.status());
               const std::string name = call->Param("snapshot_name");
               base::Status valid = ops::ValidateSnapshotName(name);
               if (!valid.ok()) return call->Fail(valid);
               std::string dir = ops::CollectionSnapshotDir(SnapshotOptionsOf(ctx), c->name());
               RunInBackground(call, wait.value(), [dir, name]() -> base::Result<std::string> {
                 QUIVER_RETURN_IF_ERROR(ops::DeleteSnapshot(dir, name));
                 return std::string("true");
               });
             });
  router.Add("PUT", "/collections/{collection_name}/snapshots/recover",
             [&ctx](std::shared_ptr<Call> call) {
               const std::string name = call->Param("collection_name");
               base::Status valid = engine::Catalog::ValidateName(name);
               if (!valid.ok()) return call->Fail(valid);
               auto wait = call->QueryBool("wait", true);
               if (!wait.ok()) return call->Fail(wait.status());
               auto req = wire::ParseSnapshotRecover(call->body());
               if (!req.ok()) return call->Fail(req.status());
               if (IsRemoteUrl(req.value().location)) {
                 return RecoverFromUrl(ctx, call, name, wait.value(), req.value());
               }
               auto path = LocalSnapshotPath(req.value().location, ctx.options.snapshots_path);
               if (!path.ok()) return call->Fail(path.status());
               RunInBackground(call, wait.value(),
                               [&ctx, name, path = path.value(),
                                checksum = req.value().checksum]() -> base::Result<std::string> {
                                 QUIVER_RETURN_IF_ERROR(ops::RecoverCollectionSnapshot(
                                     *ctx.catalog, name, path, checksum, SnapshotOptionsOf(ctx)));
                                 return std::string("true");
                               });
             });
  router.Add("POST", "/collections/{collection_name}/snapshots/upload",
             [&ctx](std::shared_ptr<Call> call) {
               const std::string name = call->Param("collection_name");
               base::Status valid = engine::Catalog::ValidateName(name);
               if (!valid.ok()) return call->Fail(valid);
               auto wait = call->QueryBool("wait", true);
               if (!wait.ok()) return call->Fail(wait.status());
               if (auto p = call->Query("priority")) {
                 base::Status st = wire::CheckSnapshotPriority(*p);
                 if (!st.ok()) return call->Fail(st);
               }
               std::string checksum = call->Query("checksum").value_or("");
               const std::string content_type(call->req().Header("content-type"));
               if (call->req().body_file) {
                 // Spooled to disk by the server: the part is copied out of the file, never read
                 // whole.
                 RunInBackground(
                     call, wait.value(),
                     [&ctx, call, name, checksum, content_type]() -> base::Result<std::string> {
                       auto opt = SnapshotOptionsOf(ctx);
                       const std::string dir = ops::CollectionSnapshotDir(opt, name);
                       QUIVER_RETURN_IF_ERROR(base::FileSystem::Default()->CreateDirs(dir));
                       TempSnapshotFile tmp{TempSnapshotPath(dir, "upload")};
                       QUIVER_RETURN_IF_ERROR(ExtractMultipartPartToFile(
                           content_type, call->req().body_file->path, "snapshot", tmp.path));
                       QUIVER_RETURN_IF_ERROR(ops::RecoverCollectionSnapshot(
                           *ctx.catalog, name, tmp.path, checksum, opt));
                       return std::string("true");
                     });
                 return;
               }
               auto part = FindMultipartPart(content_type, call->body(), "snapshot");
               if (!part.ok()) return call->Fail(part.status());
               RunInBackground(call, wait.value(),
                               [&ctx, call, name, checksum,
                                data = part.value().data]() -> base::Result<std::string> {
                                 auto opt = SnapshotOptionsOf(ctx);
                                 auto* fs = base::FileSystem::Default();
                                 const std::string dir = ops::CollectionSnapshotDir(opt, name);
                                 QUIVER_RETURN_IF_ERROR(fs->CreateDirs(dir));
                                 TempSnapshotFile tmp{TempSnapshotPath(dir, "upload")};
                                 QUIVER_RETURN_IF_ERROR(fs->WriteFileAtomic(tmp.path, data));
                                 QUIVER_RETURN_IF_ERROR(ops::RecoverCollectionSnapshot(
                                     *ctx.catalog, name, tmp.path, checksum, opt));
                                 return std::string("true");
                               });
             });

  // Full-storage snapshots, in snapshots_path itself.
  router.Add("GET", "/snapshots", [&ctx](std::shared_ptr<Call> call) {
    call->Ok(wire::RenderSnapshotList(Out(ops::ListSnapshots(ctx.options.snapshots_path))));
  });
  router.Add("POST", "/snapshots", [&ctx](std::shared_ptr<Call> call) {
    auto wait = call->QueryBool("wait", true);
    if (!wait.ok()) return call->Fail(wait.status());
    RunInBackground(call, wait.value(), [&ctx]() -> base::Result<std::string> {
      auto d = ops::CreateFullSnapshot(*ctx.catalog, SnapshotOptionsOf(ctx));
      if (!d.ok()) return d.status();
      return RenderOne(d.value());
    });
  });
  router.Add("GET", "/snapshots/{snapshot_name}", [&ctx](std::shared_ptr<Call> call) {
    SendSnapshotFile(*call, ctx.options.snapshots_path, call->Param("snapshot_name"));
  });
  router.Add("DELETE", "/snapshots/{snapshot_name}", [&ctx](std::shared_ptr<Call> call) {
    auto wait = call->QueryBool("wait", true);
    if (!wait.ok()) return call->Fail(wait.status());
    const std::string name = call->Param("snapshot_name");
    base::Status valid = ops::ValidateSnapshotName(name);
    if (!valid.ok()) return call->Fail(valid);
    RunInBackground(call, wait.value(),
                    [dir = ctx.options.snapshots_path, name]() -> base::Result<std::string> {
                      QUIVER_RETURN_IF_ERROR(ops::DeleteSnapshot(dir, name));
                      return std::string("true");
                    });
  });
}

}  // namespace quiver::api
