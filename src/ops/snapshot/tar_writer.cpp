#include "ops/snapshot/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <vector>

#include "base/file_system.h"

namespace quiver::ops {
namespace {

base::Status ArchiveError(struct archive* a, const std::string& what) {
  const char* msg = archive_error_string(a);
  return base::Status::Internal(what + ": " + (msg ? msg : "libarchive error"));
}

}  // namespace

base::Result<std::unique_ptr<TarWriter>> TarWriter::Create(const std::string& path) {
  std::unique_ptr<TarWriter> w(new TarWriter());
  w->path_ = path;
  w->a_ = archive_write_new();
  if (archive_write_set_format_pax_restricted(w->a_) != ARCHIVE_OK ||
      archive_write_add_filter_none(w->a_) != ARCHIVE_OK ||
      archive_write_open_filename(w->a_, path.c_str()) != ARCHIVE_OK) {
    return ArchiveError(w->a_, "create " + path);
  }
  return w;
}

TarWriter::~TarWriter() {
  if (a_) archive_write_free(a_);
}

base::Status TarWriter::Header(const std::string& name, uint64_t size) {
  struct archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, static_cast<la_int64_t>(size));
  archive_entry_set_mtime(e, std::time(nullptr), 0);
  int rc = archive_write_header(a_, e);
  archive_entry_free(e);
  if (rc != ARCHIVE_OK) return ArchiveError(a_, path_ + ": header of " + name);
  return base::Status::Ok();
}

base::Status TarWriter::AddBytes(const std::string& name, std::string_view data) {
  QUIVER_RETURN_IF_ERROR(Header(name, data.size()));
  if (!data.empty() &&
      archive_write_data(a_, data.data(), data.size()) != static_cast<la_ssize_t>(data.size())) {
    return ArchiveError(a_, path_ + ": data of " + name);
  }
  return base::Status::Ok();
}

base::Status TarWriter::AddFile(const std::string& name, const std::string& src_path) {
  FILE* f = std::fopen(src_path.c_str(), "rb");
  if (!f) return base::ErrnoStatus(src_path, errno);
  std::fseek(f, 0, SEEK_END);
  long size = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  base::Status st = Header(name, static_cast<uint64_t>(size));
  std::vector<char> buf(1 << 20);
  uint64_t written = 0;
  while (st.ok()) {
    size_t n = std::fread(buf.data(), 1, buf.size(), f);
    if (n == 0) break;
    if (archive_write_data(a_, buf.data(), n) != static_cast<la_ssize_t>(n)) {
      st = ArchiveError(a_, path_ + ": data of " + name);
    }
    written += n;
  }
  if (st.ok() && (std::ferror(f) || written != static_cast<uint64_t>(size))) {
    st = base::Status::Internal(src_path + ": changed or failed while being read");
  }
  std::fclose(f);
  return st;
}

base::Status TarWriter::Close() {
  if (!a_) return base::Status::Ok();
  int rc = archive_write_close(a_);
  base::Status st = rc == ARCHIVE_OK ? base::Status::Ok() : ArchiveError(a_, "close " + path_);
  archive_write_free(a_);
  a_ = nullptr;
  if (!st.ok()) return st;
  int fd = ::open(path_.c_str(), O_RDONLY);
  if (fd < 0) return base::ErrnoStatus("open " + path_, errno);
  int sync_rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (sync_rc != 0) return base::ErrnoStatus("fsync " + path_, err);
  return base::Status::Ok();
}

}  // namespace quiver::ops
