#include "engine/segment/vector_file.h"

#include <cstring>

#include "base/byte_io.h"
#include "base/crc32c.h"

namespace quiver::engine {
namespace {

constexpr char kMagic[8] = {'Q', 'V', 'R', 'V', 'E', 'C', '\0', '\0'};
constexpr uint32_t kVersion = 1;
constexpr size_t kFixedHeader = 32;  // magic .. rows crc; then the header's own crc

std::string Header(uint64_t segment_id, uint32_t dim, uint32_t rows, uint32_t crc) {
  base::ByteWriter w;
  w.Raw(kMagic, 8);
  w.U32(kVersion);
  w.U32(dim);
  w.U64(segment_id);
  w.U32(rows);
  w.U32(crc);
  w.U32(base::Crc32c(w.data()));
  std::string header = w.Take();
  header.resize(kVectorFileHeaderBytes, '\0');
  return header;
}

}  // namespace

base::Result<std::unique_ptr<VectorFileWriter>> VectorFileWriter::Create(base::FileSystem* fs,
                                                                         const std::string& path,
                                                                         uint64_t segment_id,
                                                                         uint32_t dim) {
  auto file = fs->OpenAppend(path + ".tmp");
  if (!file.ok()) return file.status();
  // A temp file left by a crash is started over.
  base::Status st = file.value()->Truncate(0);
  if (st.ok()) st = file.value()->Append(Header(segment_id, dim, 0, 0));
  if (!st.ok()) {
    file.value().reset();
    (void)fs->Remove(path + ".tmp");
    return st;
  }
  return std::unique_ptr<VectorFileWriter>(
      new VectorFileWriter(fs, path, segment_id, dim, std::move(file).value()));
}

VectorFileWriter::VectorFileWriter(base::FileSystem* fs, std::string path, uint64_t segment_id,
                                   uint32_t dim, std::unique_ptr<base::AppendFile> file)
    : fs_(fs), path_(std::move(path)), segment_id_(segment_id), dim_(dim), file_(std::move(file)) {}

VectorFileWriter::~VectorFileWriter() {
  if (finished_) return;
  file_.reset();
  (void)fs_->Remove(path_ + ".tmp");
}

void VectorFileWriter::Add(const float* row) {
  constexpr size_t kFlushBytes = 4 << 20;
  const size_t bytes = size_t(dim_) * sizeof(float);
  if (row) {
    buf_.append(reinterpret_cast<const char*>(row), bytes);
  } else {
    buf_.append(bytes, '\0');
  }
  ++rows_;
  if (buf_.size() >= kFlushBytes) Flush();
}

void VectorFileWriter::Flush() {
  if (error_.ok() && !buf_.empty()) {
    crc_ = base::Crc32c(crc_, buf_.data(), buf_.size());
    error_ = file_->Append(buf_);
  }
  buf_.clear();
}

base::Status VectorFileWriter::Finish(uint32_t* crc) {
  Flush();
  QUIVER_RETURN_IF_ERROR(error_);
  const std::string tmp = path_ + ".tmp";
  QUIVER_RETURN_IF_ERROR(file_->WriteAt(0, Header(segment_id_, dim_, rows_, crc_)));
  QUIVER_RETURN_IF_ERROR(file_->Sync());
  file_.reset();
  QUIVER_RETURN_IF_ERROR(fs_->Rename(tmp, path_));
  finished_ = true;
  const auto slash = path_.rfind('/');
  QUIVER_RETURN_IF_ERROR(fs_->SyncDir(slash == std::string::npos ? "." : path_.substr(0, slash)));
  *crc = crc_;
  return base::Status::Ok();
}

base::Result<std::unique_ptr<base::MappedFile>> OpenVectorFile(const std::string& path,
                                                               uint64_t segment_id, uint32_t dim,
                                                               uint32_t rows, uint32_t crc) {
  auto file = base::MappedFile::Open(path);
  if (!file.ok()) return base::Status::Corruption(file.status().message());
  const base::MappedFile& f = *file.value();
  const uint64_t bytes = uint64_t(rows) * dim * sizeof(float);
  if (f.size() != kVectorFileHeaderBytes + bytes) {
    return base::Status::Corruption("vector file " + path + " has " + std::to_string(f.size()) +
                                    " bytes, expected " +
                                    std::to_string(kVectorFileHeaderBytes + bytes));
  }
  char header[kFixedHeader + 4];
  if (!f.Read(0, header, sizeof(header))) {
    return base::Status::Corruption("vector file " + path + " cannot be read");
  }
  base::ByteReader r(std::string_view(header, sizeof(header)));
  std::string_view magic = r.Bytes(8);
  uint32_t version = r.U32(), d = r.U32();
  uint64_t id = r.U64();
  uint32_t n = r.U32(), rows_crc = r.U32(), header_crc = r.U32();
  if (!r.ok() || magic != std::string_view(kMagic, 8) ||
      header_crc != base::Crc32c(std::string_view(header, kFixedHeader))) {
    return base::Status::Corruption("vector file " + path + " has a bad header");
  }
  if (version != kVersion || d != dim || id != segment_id || n != rows || rows_crc != crc) {
    return base::Status::Corruption("vector file " + path + " does not match its segment");
  }
  auto actual = f.Crc32c(kVectorFileHeaderBytes, bytes);
  if (!actual.ok()) return actual.status();
  if (actual.value() != crc) {
    return base::Status::Corruption("vector file " + path + " failed its checksum");
  }
  return file;
}

}  // namespace quiver::engine
