#include "ops/snapshot/tar_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <set>

#include "base/file_system.h"
#include "ops/snapshot/sha256.h"

namespace quiver::ops {
namespace {

base::Status Bad(const std::string& m) { return base::Status::BadRequest("snapshot: " + m); }

bool SafeComponent(const std::string& c) {
  if (c.empty() || c == "." || c == ".." || c.size() > 255) return false;
  for (char ch : c) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

struct ArchiveFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

// Writes one entry's data to `path` (created new, never through a link), hashing it.
base::Status WriteEntry(struct archive* a, const std::string& path, const std::string& name,
                        uint64_t declared, uint64_t max_bytes, ExtractedFile& out) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return Bad("duplicate entry `" + name + "`");
    return base::ErrnoStatus("create " + path, errno);
  }
  Sha256 h;
  uint64_t total = 0;
  base::Status st;
  for (;;) {
    const void* buf;
    size_t size;
    la_int64_t offset;
    int rc = archive_read_data_block(a, &buf, &size, &offset);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) {
      const char* msg = archive_error_string(a);
      st = Bad("entry `" + name + "`: " + (msg ? msg : "read error"));
      break;
    }
    // Sparse entries leave holes; we never write them, so any offset jump is refused.
    if (static_cast<uint64_t>(offset) != total) {
      st = Bad("entry `" + name + "`: sparse files are not accepted");
      break;
    }
    total += size;
    if (total > declared || total > max_bytes) {
      st = Bad("entry `" + name + "` is larger than allowed");
      break;
    }
    h.Update({static_cast<const char*>(buf), size});
    const char* p = static_cast<const char*>(buf);
    while (size > 0) {
      ssize_t n = ::write(fd, p, size);
      if (n < 0) {
        if (errno == EINTR) continue;
        st = base::ErrnoStatus("write " + path, errno);
        break;
      }
      p += n;
      size -= static_cast<size_t>(n);
    }
    if (!st.ok()) break;
  }
  if (st.ok() && total != declared) st = Bad("entry `" + name + "` is truncated");
  if (st.ok() && ::fsync(fd) != 0) st = base::ErrnoStatus("fsync " + path, errno);
  ::close(fd);
  out.size = total;
  out.sha256 = h.Hex();
  return st;
}

}  // namespace

base::Result<std::string> NormalizeTarPath(const std::string& raw) {
  std::string name = raw;
  while (name.rfind("./", 0) == 0) name.erase(0, 2);
  if (!name.empty() && name.back() == '/') name.pop_back();
  if (name.empty() || name.front() == '/') return Bad("unsafe entry name `" + raw + "`");
  size_t depth = 0, start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string::npos) slash = name.size();
    if (!SafeComponent(name.substr(start, slash - start)) || ++depth > 8) {
      return Bad("unsafe entry name `" + raw + "`");
    }
    start = slash + 1;
  }
  return name;
}

base::Result<std::vector<ExtractedFile>> ExtractTar(const std::string& tar_path,
                                                    const std::string& dest_dir,
                                                    const TarLimits& limits) {
  std::unique_ptr<struct archive, ArchiveFree> a(archive_read_new());
  archive_read_support_format_tar(a.get());  // no decompression filters: plain tar only
  if (archive_read_open_filename(a.get(), tar_path.c_str(), 1 << 20) != ARCHIVE_OK) {
    const char* msg = archive_error_string(a.get());
    return Bad(std::string("not a readable tar file: ") + (msg ? msg : "?"));
  }
  std::vector<ExtractedFile> files;
  std::set<std::string> seen;
  uint64_t total = 0;
  for (;;) {
    struct archive_entry* e;
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) {
      const char* msg = archive_error_string(a.get());
      return Bad(std::string("not a valid tar file: ") + (msg ? msg : "?"));
    }
    if (seen.size() >= limits.max_entries) return Bad("too many entries");
    const char* raw_name = archive_entry_pathname(e);
    std::string raw = raw_name ? raw_name : "";
    if ((raw == "." || raw == "./") && archive_entry_filetype(e) == AE_IFDIR) continue;
    auto name = NormalizeTarPath(raw);
    if (!name.ok()) return name.status();
    if (archive_entry_hardlink(e) != nullptr || archive_entry_symlink(e) != nullptr) {
      return Bad("entry `" + raw + "` is a link; links are not accepted");
    }
    if (!seen.insert(name.value()).second) return Bad("duplicate entry `" + raw + "`");
    const mode_t type = archive_entry_filetype(e);
    const std::string path = dest_dir + "/" + name.value();
    // Parent directories of a file are created on demand (their names are already checked).
    for (size_t p = name.value().find('/'); p != std::string::npos;
         p = name.value().find('/', p + 1)) {
      std::string dir = dest_dir + "/" + name.value().substr(0, p);
      if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        return base::ErrnoStatus("mkdir " + dir, errno);
      }
      struct stat st;
      if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return Bad("entry `" + raw + "` conflicts with a file");
      }
    }
    if (type == AE_IFDIR) {
      if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
        return base::ErrnoStatus("mkdir " + path, errno);
      }
      continue;
    }
    if (type != AE_IFREG) {
      return Bad("entry `" + raw + "` is not a regular file (links, devices, FIFOs are refused)");
    }
    if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0) {
      return Bad("entry `" + raw + "` has no size");
    }
    const uint64_t size = static_cast<uint64_t>(archive_entry_size(e));
    if (size > limits.max_entry_bytes) {
      return Bad("entry `" + raw + "` (" + std::to_string(size) + " bytes) is larger than " +
                 std::to_string(limits.max_entry_bytes) + " bytes");
    }
    total += size;
    if (total > limits.max_total_bytes) return Bad("the files are larger than allowed in total");
    ExtractedFile f;
    f.path = name.value();
    QUIVER_RETURN_IF_ERROR(WriteEntry(a.get(), path, raw, size, limits.max_entry_bytes, f));
    files.push_back(std::move(f));
  }
  return files;
}

}  // namespace quiver::ops
