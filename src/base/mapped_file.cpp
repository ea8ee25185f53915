#include "base/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "base/crc32c.h"
#include "base/file_system.h"

namespace quiver::base {

MappedFile::~MappedFile() {
  if (addr_ != nullptr) ::munmap(addr_, size_);
  ::close(fd_);
}

Result<std::unique_ptr<MappedFile>> MappedFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus("stat " + path, err);
  }
  size_t size = static_cast<size_t>(st.st_size);
  void* addr = nullptr;
  if (size > 0) {
    addr = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (addr == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("mmap " + path, err);
    }
    // Rows are read where the graph leads: read-ahead would only fill memory.
    (void)::madvise(addr, size, MADV_RANDOM);
  }
  return std::unique_ptr<MappedFile>(new MappedFile(path, fd, addr, size));
}

bool MappedFile::Read(uint64_t offset, void* out, size_t len) const {
  char* p = static_cast<char*>(out);
  while (len > 0) {
    ssize_t n = ::pread(fd_, p, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    offset += static_cast<uint64_t>(n);
    len -= static_cast<size_t>(n);
  }
  return true;
}

Result<uint32_t> MappedFile::Crc32c(uint64_t offset, uint64_t len) const {
  std::vector<char> buf(1 << 20);
  uint32_t crc = 0;
  while (len > 0) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(len, buf.size()));
    if (!Read(offset, buf.data(), chunk)) return Status::Corruption(path_ + " is truncated");
    crc = base::Crc32c(crc, buf.data(), chunk);
    offset += chunk;
    len -= chunk;
  }
  return crc;
}

void MappedFile::DropResident() const {
  if (addr_ != nullptr) (void)::madvise(addr_, size_, MADV_DONTNEED);
}

}  // namespace quiver::base
