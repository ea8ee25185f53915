// File-system seam. Storage code goes through FileSystem so that tests can inject faults
// (short writes, failed fsync, disk full) without touching real disks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace quiver::base {

// An append-only file. Append writes through to the OS (survives kill -9); Sync makes it durable
// (survives power loss).
class AppendFile {
 public:
  virtual ~AppendFile() = default;
  // Appends all of `data`; a short or failed write returns an error and leaves the file length
  // unspecified (callers truncate back to their last good offset).
  virtual Status Append(std::string_view data) = 0;
  // fdatasync.
  virtual Status Sync() = 0;
  // Truncates the file to `size` bytes.
  virtual Status Truncate(uint64_t size) = 0;
  // Overwrites bytes already written, at `offset` (a header filled in once what follows it is
  // known); the size does not change.
  virtual Status WriteAt(uint64_t offset, std::string_view data) = 0;
  virtual uint64_t Size() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The process-wide POSIX implementation.
  static FileSystem* Default();

  // Opens (creating if missing) `path` for appending.
  virtual Result<std::unique_ptr<AppendFile>> OpenAppend(const std::string& path) = 0;
  // Reads the whole file. NotFound when missing.
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Writes `data` to `path` atomically: temp file, fsync, rename, fsync of the directory.
  virtual Status WriteFileAtomic(const std::string& path, std::string_view data) = 0;
  // The same for a file made of several parts written in order (a header and a large column
  // without copying them into one buffer). The default joins them and calls WriteFileAtomic.
  virtual Status WriteFileAtomicParts(const std::string& path,
                                      const std::vector<std::string_view>& parts);
  virtual Status CreateDirs(const std::string& path) = 0;
  virtual Status SyncDir(const std::string& path) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;
  virtual Status RemoveAll(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  // Names (not paths) of the entries of a directory, sorted.
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  // Bytes free on the file system holding `path`.
  virtual Result<uint64_t> FreeBytes(const std::string& path) = 0;
};

// Maps an errno to a Status (ENOSPC → InsufficientStorage).
Status ErrnoStatus(const std::string& what, int err);

}  // namespace quiver::base
