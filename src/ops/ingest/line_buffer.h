// LineBuffer: reads a ByteSource line by line (LF or CRLF), optionally keeping newlines that are
// inside CSV double quotes, and tracks the byte offset and line count for resuming.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "ops/ingest/byte_source.h"

namespace quiver::ops::ingest {

class LineBuffer {
 public:
  explicit LineBuffer(ByteSource* source, bool csv_quotes = false)
      : source_(source), csv_quotes_(csv_quotes) {}

  // The next line without its terminator; the view is valid until the next call. `*lines` is the
  // number of physical lines it spans (more than 1 for a quoted CSV field with newlines). Returns
  // false at the end of input. Format error for a line over 1 GiB or an unterminated CSV quote
  // at the end of the input.
  base::Result<bool> Next(std::string_view* line, uint64_t* lines);

  // Decompressed offset of the first byte not yet returned.
  uint64_t offset() const { return source_->offset() - (end_ - begin_); }

  // Skips input until offset() == `target` (which must be a line start at or after offset()).
  base::Status SkipTo(uint64_t target);

 private:
  base::Result<bool> Fill();  // reads more input; false at end of input
  ByteSource* source_;
  bool csv_quotes_;
  std::string buf_;
  size_t begin_ = 0;  // first unread byte
  size_t end_ = 0;    // end of valid data
  size_t scan_ = 0;   // bytes after begin_ already scanned for a terminator
  bool in_quotes_ = false;
  uint64_t scan_lines_ = 0;
  bool eof_ = false;
};

}  // namespace quiver::ops::ingest
