// Vector files: one on-disk vector column of a sealed segment (docs/formats/vectors.md), written
// once and then memory-mapped read-only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/file_system.h"
#include "base/mapped_file.h"
#include "base/status.h"

namespace quiver::engine {

// The rows start here: page-aligned in the map.
constexpr uint64_t kVectorFileHeaderBytes = 4096;

// Writes a vector file row by row, so that a column is never whole in memory (the optimizer copies
// the rows of its new segment straight into it): a placeholder header and the rows go to
// `path`.tmp as they come, then Finish fills in the header (row count, crc), fsyncs, renames the
// file into place and fsyncs the directory. Destroyed unfinished, it removes the temp file.
class VectorFileWriter {
 public:
  static base::Result<std::unique_ptr<VectorFileWriter>> Create(base::FileSystem* fs,
                                                                const std::string& path,
                                                                uint64_t segment_id, uint32_t dim);
  ~VectorFileWriter();
  // Appends one row of dim floats (nullptr: zeros). The first error is kept for Finish.
  void Add(const float* row);
  uint32_t rows() const { return rows_; }
  const std::string& path() const { return path_; }
  // *crc receives the crc32c of the rows, which the segment's data file records.
  base::Status Finish(uint32_t* crc);

 private:
  VectorFileWriter(base::FileSystem* fs, std::string path, uint64_t segment_id, uint32_t dim,
                   std::unique_ptr<base::AppendFile> file);
  void Flush();

  base::FileSystem* fs_;
  std::string path_;
  uint64_t segment_id_;
  uint32_t dim_;
  std::unique_ptr<base::AppendFile> file_;
  std::string buf_;
  uint32_t rows_ = 0;
  uint32_t crc_ = 0;
  base::Status error_ = base::Status::Ok();
  bool finished_ = false;
};

// Maps a vector file and checks it against what the data file says: header, size and the crc of
// the rows. Corruption on any mismatch (a short file would otherwise fault on access).
base::Result<std::unique_ptr<base::MappedFile>> OpenVectorFile(const std::string& path,
                                                               uint64_t segment_id, uint32_t dim,
                                                               uint32_t rows, uint32_t crc);

}  // namespace quiver::engine
