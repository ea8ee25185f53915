#include "ops/objstore/local_object_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

namespace quiver::ops {
namespace fs = std::filesystem;

namespace {

base::Status Errno(const std::string& what, const fs::path& path) {
  int e = errno;
  std::string m = what + " " + path.string() + ": " + std::strerror(e);
  if (e == ENOSPC || e == EDQUOT) return base::Status::InsufficientStorage(m);
  if (e == ENOENT) return base::Status::NotFound(m);
  return base::Status::Internal(m);
}

base::Status WriteAll(int fd, const char* data, size_t n, const fs::path& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path);
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return base::Status::Ok();
}

// Copies `from` into `fd`.
base::Status CopyInto(const fs::path& from, int fd, const fs::path& to) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Errno("open", from);
  std::vector<char> buf(1 << 20);
  base::Status st;
  for (;;) {
    ssize_t r = ::read(in, buf.data(), buf.size());
    if (r < 0) {
      if (errno == EINTR) continue;
      st = Errno("read", from);
      break;
    }
    if (r == 0) break;
    st = WriteAll(fd, buf.data(), static_cast<size_t>(r), to);
    if (!st.ok()) break;
  }
  ::close(in);
  return st;
}

base::Status SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("fsync directory", dir);
  return base::Status::Ok();
}

std::string TempSuffix() {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  return std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(rd());
}

void ListInto(const fs::path& root, const std::string& rel, std::vector<ObjectInfo>& out) {
  DIR* d = ::opendir((root / rel).c_str());
  if (d == nullptr) return;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == ".." || name.rfind(".tmp-", 0) == 0) continue;
    std::string key = rel.empty() ? name : rel + "/" + name;
    struct stat st;
    if (::lstat((root / key).c_str(), &st) != 0) continue;  // vanished meanwhile
    if (S_ISDIR(st.st_mode)) {
      ListInto(root, key, out);
    } else if (S_ISREG(st.st_mode) && ValidateObjectKey(key).ok()) {
      out.push_back({key, static_cast<uint64_t>(st.st_size)});
    }  // symlinks, devices and odd names are not objects
  }
  ::closedir(d);
}

}  // namespace

base::Status ValidateObjectKey(const std::string& key) {
  if (key.empty()) return base::Status::BadInput("empty object key");
  if (key.size() > 1024) return base::Status::BadInput("object key longer than 1024 bytes");
  if (key.front() == '/') return base::Status::BadInput("object key is absolute: " + key);
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string::npos) end = key.size();
    std::string seg = key.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..") {
      return base::Status::BadInput("object key has an empty, '.' or '..' segment: " + key);
    }
    if (seg.rfind(".tmp-", 0) == 0) {
      return base::Status::BadInput("object key segment may not start with .tmp-: " + key);
    }
    start = end + 1;
  }
  for (unsigned char c : key) {
    if (c < 0x20 || c == 0x7f || c == '\\') {
      return base::Status::BadInput("object key has a control character or backslash");
    }
  }
  return base::Status::Ok();
}

base::Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(const fs::path& root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return base::Status::BadInput("cannot create " + root.string() + ": " + ec.message());
  if (!fs::is_directory(root, ec)) {
    return base::Status::BadInput(root.string() + " is not a directory");
  }
  return std::unique_ptr<LocalObjectStore>(new LocalObjectStore(fs::absolute(root)));
}

std::string LocalObjectStore::Describe() const { return "file://" + root_.string(); }

base::Result<fs::path> LocalObjectStore::PathOf(const std::string& key) const {
  QUIVER_RETURN_IF_ERROR(ValidateObjectKey(key));
  return root_ / key;
}

template <typename Fill>
base::Status LocalObjectStore::WriteAtomic(const fs::path& target, Fill fill) {
  const fs::path dir = target.parent_path();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return base::Status::Internal("cannot create " + dir.string() + ": " + ec.message());
  const fs::path tmp = dir / (".tmp-" + TempSuffix());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", tmp);
  base::Status st = fill(fd, tmp);
  if (st.ok() && ::fsync(fd) != 0) st = Errno("fsync", tmp);
  if (::close(fd) != 0 && st.ok()) st = Errno("close", tmp);
  if (st.ok() && ::rename(tmp.c_str(), target.c_str()) != 0) st = Errno("rename", target);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return SyncDir(dir);
}

base::Status LocalObjectStore::PutFile(const std::string& key, const fs::path& file) {
  auto path = PathOf(key);
  if (!path.ok()) return path.status();
  return WriteAtomic(*path, [&](int fd, const fs::path& tmp) { return CopyInto(file, fd, tmp); });
}

base::Status LocalObjectStore::PutBytes(const std::string& key, std::string_view bytes) {
  auto path = PathOf(key);
  if (!path.ok()) return path.status();
  return WriteAtomic(*path, [&](int fd, const fs::path& tmp) {
    return WriteAll(fd, bytes.data(), bytes.size(), tmp);
  });
}

base::Status LocalObjectStore::GetToFile(const std::string& key, const fs::path& file) {
  auto path = PathOf(key);
  if (!path.ok()) return path.status();
  struct stat st;
  if (::lstat(path->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return base::Status::NotFound("object " + key + " not found in " + Describe());
  }
  const fs::path tmp = file.string() + ".part";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create", tmp);
  base::Status s = CopyInto(*path, fd, tmp);
  if (::close(fd) != 0 && s.ok()) s = Errno("close", tmp);
  if (s.ok() && ::rename(tmp.c_str(), file.c_str()) != 0) s = Errno("rename", file);
  if (!s.ok()) ::unlink(tmp.c_str());
  return s;
}

base::Result<std::string> LocalObjectStore::GetBytes(const std::string& key) {
  auto path = PathOf(key);
  if (!path.ok()) return path.status();
  struct stat st;
  if (::lstat(path->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return base::Status::NotFound("object " + key + " not found in " + Describe());
  }
  int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", *path);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof(buf));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      base::Status s = Errno("read", *path);
      ::close(fd);
      return s;
    }
    if (r == 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  ::close(fd);
  return out;
}

base::Result<std::vector<ObjectInfo>> LocalObjectStore::List(const std::string& prefix) {
  std::vector<ObjectInfo> all;
  ListInto(root_, "", all);
  std::vector<ObjectInfo> out;
  for (auto& o : all) {
    if (o.key.rfind(prefix, 0) == 0) out.push_back(std::move(o));
  }
  std::sort(out.begin(), out.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

base::Status LocalObjectStore::Delete(const std::string& key) {
  auto path = PathOf(key);
  if (!path.ok()) return path.status();
  if (::unlink(path->c_str()) != 0 && errno != ENOENT) return Errno("delete", *path);
  // Remove directories left empty, up to the root.
  fs::path dir = path->parent_path();
  while (dir != root_ && dir.string().size() > root_.string().size()) {
    if (::rmdir(dir.c_str()) != 0) break;
    dir = dir.parent_path();
  }
  return base::Status::Ok();
}

}  // namespace quiver::ops
