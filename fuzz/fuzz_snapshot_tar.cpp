// The snapshot tar reader (untrusted uploads): the input is written as a .snapshot file and
// extracted with small limits into a fresh directory. Invariants: no crash; on success every
// extracted file is inside the destination, regular, with the reported size; nothing is ever
// created outside the destination (a sibling canary directory must stay empty).
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "ops/snapshot/tar_reader.h"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string root = [] {
    const char* tmp = std::getenv("TMPDIR");  // the smoke run points it at its own work dir
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/quiver-fuzz-tar-XXXXXX";
    return std::string(mkdtemp(tmpl.data()));
  }();
  const std::string tar = root + "/in.snapshot";
  const std::string dest = root + "/out/d";
  const std::string canary = root + "/out";
  std::error_code ec;
  fs::remove_all(canary, ec);
  fs::create_directories(dest);
  FILE* f = std::fopen(tar.c_str(), "wb");
  if (!f) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);

  quiver::ops::TarLimits limits;
  limits.max_entry_bytes = 1 << 20;
  limits.max_total_bytes = 4 << 20;
  limits.max_entries = 64;
  auto files = quiver::ops::ExtractTar(tar, dest, limits);
  // Nothing but d/ may exist next to the destination, whatever the archive said.
  for (const auto& e : fs::directory_iterator(canary)) {
    if (e.path().filename() != "d") std::abort();
  }
  if (files.ok()) {
    for (const auto& x : files.value()) {
      fs::path p = fs::path(dest) / x.path;
      struct stat st;
      if (lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) std::abort();
      if (static_cast<uint64_t>(st.st_size) != x.size) std::abort();
      if (x.path.find("..") != std::string::npos && x.path.find("/../") != std::string::npos) {
        std::abort();
      }
    }
  }
  fs::remove_all(canary, ec);
  return 0;
}
