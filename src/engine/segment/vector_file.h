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

// Writes `rows` x `dim` floats atomically (temp file, fsync, rename); *crc receives the crc32c of
// the rows, which the segment's data file records.
base::Status WriteVectorFile(base::FileSystem* fs, const std::string& path, uint64_t segment_id,
                             uint32_t dim, uint32_t rows, const float* data, uint32_t* crc);

// Maps a vector file and checks it against what the data file says: header, size and the crc of
// the rows. Corruption on any mismatch (a short file would otherwise fault on access).
base::Result<std::unique_ptr<base::MappedFile>> OpenVectorFile(const std::string& path,
                                                               uint64_t segment_id, uint32_t dim,
                                                               uint32_t rows, uint32_t crc);

}  // namespace quiver::engine
