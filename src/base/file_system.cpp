#include "base/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace quiver::base {
namespace {

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write " + path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

class PosixAppendFile : public AppendFile {
 public:
  PosixAppendFile(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixAppendFile() override { ::close(fd_); }

  Status Append(std::string_view data) override {
    Status st = WriteAll(fd_, data, path_);
    if (st.ok()) size_ += data.size();
    return st;
  }
  Status Sync() override {
    if (::fdatasync(fd_) != 0) return ErrnoStatus("fdatasync " + path_, errno);
    return Status::Ok();
  }
  Status Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return ErrnoStatus("ftruncate " + path_, errno);
    }
    size_ = size;
    return Status::Ok();
  }
  Status WriteAt(uint64_t offset, std::string_view data) override {
    if (offset + data.size() > size_) return Status::Internal("write past the end of " + path_);
    // Linux ignores pwrite's offset on an O_APPEND descriptor (pwrite(2), BUGS): a second one.
    int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open " + path_, errno);
    Status st = Status::Ok();
    while (!data.empty() && st.ok()) {
      ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        st = ErrnoStatus("write " + path_, errno);
      } else {
        data.remove_prefix(static_cast<size_t>(n));
        offset += static_cast<uint64_t>(n);
      }
    }
    ::close(fd);
    return st;
  }
  uint64_t Size() const override { return size_; }

 private:
  int fd_;
  std::string path_;
  uint64_t size_;
};

std::string DirOf(const std::string& path) {
  auto pos = path.rfind('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

class PosixFileSystem : public FileSystem {
 public:
  Result<std::unique_ptr<AppendFile>> OpenAppend(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("open " + path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("stat " + path, err);
    }
    return std::unique_ptr<AppendFile>(
        new PosixAppendFile(fd, path, static_cast<uint64_t>(st.st_size)));
  }

  Result<std::string> ReadFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return Status::NotFound("file " + path + " does not exist");
      return ErrnoStatus("open " + path, errno);
    }
    std::string out;
    char buf[1 << 16];
    while (true) {
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return ErrnoStatus("read " + path, err);
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
  }

  Status WriteFileAtomic(const std::string& path, std::string_view data) override {
    return WriteFileAtomicParts(path, {data});
  }

  Status WriteFileAtomicParts(const std::string& path,
                              const std::vector<std::string_view>& parts) override {
    std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("open " + tmp, errno);
    Status st = Status::Ok();
    for (size_t i = 0; i < parts.size() && st.ok(); ++i) st = WriteAll(fd, parts[i], tmp);
    if (st.ok() && ::fsync(fd) != 0) st = ErrnoStatus("fsync " + tmp, errno);
    ::close(fd);
    if (!st.ok()) {
      ::unlink(tmp.c_str());
      return st;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return ErrnoStatus("rename " + tmp, err);
    }
    return SyncDir(DirOf(path));
  }

  Status CreateDirs(const std::string& path) override {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return ErrnoStatus("mkdir " + path, ec.value());
    return Status::Ok();
  }

  Status SyncDir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open dir " + path, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return ErrnoStatus("fsync dir " + path, err);
    return Status::Ok();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("rename " + from, errno);
    return Status::Ok();
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("unlink " + path, errno);
    return Status::Ok();
  }

  Status RemoveAll(const std::string& path) override {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return ErrnoStatus("remove " + path, ec.value());
    return Status::Ok();
  }

  bool Exists(const std::string& path) override {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
  }

  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (!dir) {
      if (errno == ENOENT) return Status::NotFound("directory " + path + " does not exist");
      return ErrnoStatus("opendir " + path, errno);
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dir)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
  }

  Result<uint64_t> FreeBytes(const std::string& path) override {
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0) return ErrnoStatus("statvfs " + path, errno);
    return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  }
};

}  // namespace

Status FileSystem::WriteFileAtomicParts(const std::string& path,
                                        const std::vector<std::string_view>& parts) {
  std::string joined;
  for (std::string_view p : parts) joined.append(p);
  return WriteFileAtomic(path, joined);
}

FileSystem* FileSystem::Default() {
  static PosixFileSystem fs;
  return &fs;
}

Status ErrnoStatus(const std::string& what, int err) {
  std::string msg = what + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return Status::InsufficientStorage(msg);
  return Status::Internal(msg);
}

}  // namespace quiver::base
