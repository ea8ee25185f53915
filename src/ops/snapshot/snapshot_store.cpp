#include "ops/snapshot/snapshot_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>

#include "base/file_system.h"
#include "ops/snapshot/sha256.h"

namespace quiver::ops {
namespace {

constexpr std::string_view kSuffix = ".snapshot";

std::string FormatTime(time_t t, const char* fmt) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), fmt, &tm);
  return buf;
}

}  // namespace

base::Status ValidateSnapshotName(const std::string& name) {
  if (name.empty() || name.size() > 255 || name.front() == '.' ||
      name.find_first_of(std::string("/\\\0", 3)) != std::string::npos) {
    return base::Status::BadRequest("Invalid snapshot name `" + name + "`");
  }
  return base::Status::Ok();
}

std::string SnapshotTimestamp() { return FormatTime(std::time(nullptr), "%Y-%m-%d-%H-%M-%S"); }
std::string IsoTimestamp() { return FormatTime(std::time(nullptr), "%Y-%m-%dT%H:%M:%S"); }

base::Result<SnapshotDescription> DescribeSnapshot(const std::string& dir,
                                                   const std::string& name) {
  QUIVER_RETURN_IF_ERROR(ValidateSnapshotName(name));
  const std::string path = dir + "/" + name;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return base::Status::NotFound("Snapshot " + name + " not found");
  }
  SnapshotDescription d;
  d.name = name;
  d.size = static_cast<uint64_t>(st.st_size);
  d.creation_time = FormatTime(st.st_mtime, "%Y-%m-%dT%H:%M:%S");
  auto sum = base::FileSystem::Default()->ReadFile(path + ".checksum");
  if (sum.ok() && sum.value().size() == 64) d.checksum = sum.value();
  return d;
}

std::vector<SnapshotDescription> ListSnapshots(const std::string& dir) {
  std::vector<SnapshotDescription> out;
  auto names = base::FileSystem::Default()->ListDir(dir);
  if (!names.ok()) return out;
  for (const auto& n : names.value()) {
    if (n.size() <= kSuffix.size() ||
        n.compare(n.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
      continue;
    }
    auto d = DescribeSnapshot(dir, n);
    if (d.ok()) out.push_back(std::move(d.value()));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.creation_time != b.creation_time ? a.creation_time > b.creation_time : a.name > b.name;
  });
  return out;
}

base::Result<SnapshotDescription> PublishSnapshot(const std::string& tmp_path,
                                                  const std::string& dir, const std::string& name) {
  QUIVER_RETURN_IF_ERROR(ValidateSnapshotName(name));
  auto* fs = base::FileSystem::Default();
  auto sum = Sha256OfFile(tmp_path);
  if (!sum.ok()) return sum.status();
  QUIVER_RETURN_IF_ERROR(fs->WriteFileAtomic(dir + "/" + name + ".checksum", sum.value()));
  QUIVER_RETURN_IF_ERROR(fs->Rename(tmp_path, dir + "/" + name));
  QUIVER_RETURN_IF_ERROR(fs->SyncDir(dir));
  return DescribeSnapshot(dir, name);
}

base::Status DeleteSnapshot(const std::string& dir, const std::string& name) {
  QUIVER_RETURN_IF_ERROR(ValidateSnapshotName(name));
  auto* fs = base::FileSystem::Default();
  const std::string path = dir + "/" + name;
  if (!fs->Exists(path)) return base::Status::NotFound("Snapshot " + name + " not found");
  QUIVER_RETURN_IF_ERROR(fs->Remove(path));
  if (fs->Exists(path + ".checksum")) QUIVER_RETURN_IF_ERROR(fs->Remove(path + ".checksum"));
  return base::Status::Ok();
}

}  // namespace quiver::ops
