// ByteSource: the bytes of an input file (or stdin for "-"), transparently decompressed when they
// are gzip or zstd (detected by their magic bytes, so the extension does not matter).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"

namespace quiver::ops::ingest {

enum class Compression { kNone, kGzip, kZstd };

class ByteSource {
 public:
  // Opens `path` ("-" is stdin). NotFound when the file cannot be opened.
  static base::Result<std::unique_ptr<ByteSource>> Open(const std::string& path);
  virtual ~ByteSource() = default;

  // Reads up to `n` decompressed bytes into `buf`; 0 means end of input. Corruption when the
  // compressed stream is damaged or truncated, Internal on a read error.
  virtual base::Result<size_t> Read(char* buf, size_t n) = 0;

  // Skips `n` decompressed bytes (a seek for plain regular files). Corruption when the input ends
  // first.
  base::Status Skip(uint64_t n);

  // Decompressed bytes consumed so far (read or skipped).
  uint64_t offset() const { return offset_; }
  // Bytes consumed from the underlying file (compressed), for progress.
  virtual uint64_t raw_offset() const = 0;
  // Size of the underlying file when it is a regular file.
  std::optional<uint64_t> raw_size() const { return raw_size_; }
  Compression compression() const { return compression_; }

 protected:
  virtual base::Status SkipFast(uint64_t n, bool* done);  // seek if possible; *done = false if not
  uint64_t offset_ = 0;
  std::optional<uint64_t> raw_size_;
  Compression compression_ = Compression::kNone;
};

}  // namespace quiver::ops::ingest
