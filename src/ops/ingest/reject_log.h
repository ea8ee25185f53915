// RejectLog: the reject file. One JSON object per line:
//   {"line":12,"reason":"Vector dimension error: expected dim: 384, got 3","record":"<input text>"}
// `line` is the record's line (JSONL, CSV), row (NPY, fvecs) or point ordinal (--from); `record` is
// the input text (cut at 64 KiB; absent for binary rows). The file is created on the first reject.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/status.h"

namespace quiver::ops::ingest {

class RejectLog {
 public:
  // `path` "" disables the file (rejects are still counted by the caller). With `keep_before`
  // > 0 (resuming), existing entries whose line is below it are kept and later ones dropped, as
  // the run will produce them again; otherwise an existing file is replaced.
  static base::Result<std::unique_ptr<RejectLog>> Open(const std::string& path,
                                                       uint64_t keep_before);
  ~RejectLog();

  // One entry's JSON line (newline included).
  static std::string Format(uint64_t line, std::string_view reason, std::string_view record);
  // Appends one entry (thread-safe; one write(2), so it survives a crash of the process).
  base::Status Add(uint64_t line, std::string_view reason, std::string_view record);
  // Appends `count` entries already formatted, in one write(2).
  base::Status Append(std::string_view entries, uint64_t count);
  // fdatasync, before a checkpoint names a position after these entries.
  base::Status Sync();

  const std::string& path() const { return path_; }
  // Entries written by this run.
  uint64_t count() const;

 private:
  RejectLog(std::string path, std::string kept) : path_(std::move(path)), kept_(std::move(kept)) {}
  base::Status EnsureOpen();  // creates the file on first use
  std::string path_;
  std::string kept_;  // entries carried over from an interrupted run, written on first use
  mutable std::mutex mu_;
  int fd_ = -1;
  uint64_t count_ = 0;
};

}  // namespace quiver::ops::ingest
