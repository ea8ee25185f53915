// A read-only memory map of a whole file, with its descriptor kept for positional reads.
// Used for data that stays on disk (on_disk vectors): the kernel's page cache holds what is hot,
// and only the pages the process touches count in its RSS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"

namespace quiver::base {

class MappedFile {
 public:
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // Maps `path` read-only (random access advised). NotFound when missing.
  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path);

  const char* data() const { return static_cast<const char*>(addr_); }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Copies `len` bytes at `offset` with pread: no page is mapped into the process (a rescoring
  // read of a few rows leaves RSS as it was). False on a short read or an I/O error.
  bool Read(uint64_t offset, void* out, size_t len) const;
  // Crc32c of [offset, offset + len), read with pread (the check at open does not map the file).
  Result<uint32_t> Crc32c(uint64_t offset, uint64_t len) const;
  // Unmaps the resident pages from the process (the page cache keeps them; a later access faults
  // them back in): after a pass over the whole file, such as an index build.
  void DropResident() const;

 private:
  MappedFile(std::string path, int fd, void* addr, size_t size)
      : path_(std::move(path)), fd_(fd), addr_(addr), size_(size) {}
  std::string path_;
  int fd_;
  void* addr_;
  size_t size_;
};

}  // namespace quiver::base
