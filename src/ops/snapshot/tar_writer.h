// TarWriter: writes a plain POSIX (pax-restricted ustar) tar file with libarchive.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

struct archive;  // libarchive

namespace quiver::ops {

class TarWriter {
 public:
  // Creates (truncating) the tar file at `path`.
  static base::Result<std::unique_ptr<TarWriter>> Create(const std::string& path);
  ~TarWriter();

  // Adds a regular file `name` (a relative path inside the tar) with the contents of `src_path`,
  // streamed. Internal on I/O errors.
  base::Status AddFile(const std::string& name, const std::string& src_path);
  // Adds a regular file `name` holding `data`.
  base::Status AddBytes(const std::string& name, std::string_view data);
  // Writes the end-of-archive blocks and fsyncs the file. Required for a complete tar.
  base::Status Close();

 private:
  TarWriter() = default;
  base::Status Header(const std::string& name, uint64_t size);
  ::archive* a_ = nullptr;
  std::string path_;
};

}  // namespace quiver::ops
