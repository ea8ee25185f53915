// Safe extraction of an untrusted tar file: every problem is a BadRequest naming the entry, and
// nothing is ever written outside the destination directory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace quiver::ops {

struct TarLimits {
  uint64_t max_entry_bytes = 64ull << 30;  // one file
  uint64_t max_total_bytes = 1ull << 40;   // all files together
  uint64_t max_entries = 1'000'000;
};

struct ExtractedFile {
  std::string path;  // relative, '/'-separated, validated
  uint64_t size = 0;
  std::string sha256;  // hex of the extracted bytes
};

// Checks one entry name: relative, components of [A-Za-z0-9._-] only, no "." or ".." component
// (a leading "./" is accepted and dropped), no empty component, at most 8 levels. Returns the
// normalized name (without "./" and a trailing '/'), or BadRequest.
base::Result<std::string> NormalizeTarPath(const std::string& name);

// Extracts the plain (uncompressed) tar at `tar_path` into the existing directory `dest_dir`.
// Only regular files and directories are accepted. BadRequest on: not a tar, a compressed tar, an
// unsafe or duplicate name, a link (symbolic or hard), a device, FIFO or socket, an entry or total
// over `limits`, a truncated archive. On error the caller removes `dest_dir` (partly filled).
base::Result<std::vector<ExtractedFile>> ExtractTar(const std::string& tar_path,
                                                    const std::string& dest_dir,
                                                    const TarLimits& limits = {});

}  // namespace quiver::ops
