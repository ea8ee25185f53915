// The snapshot manifest.json parser and its check against extracted files. Invariants: no crash;
// an accepted manifest renders and parses back to the same files, and verifies against its own
// file list.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ops/snapshot/snapshot_manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string json(reinterpret_cast<const char*>(data), size);
  auto m = quiver::ops::ParseManifest(json);
  if (!m.ok()) return 0;
  (void)quiver::ops::VerifyAgainstManifest(m.value(), m.value().files);
  auto again = quiver::ops::ParseManifest(quiver::ops::RenderManifest(m.value()));
  if (!again.ok()) std::abort();  // what we accept we must be able to write back
  if (again.value().files.size() != m.value().files.size()) std::abort();
  for (size_t i = 0; i < m.value().files.size(); ++i) {
    const auto& a = m.value().files[i];
    const auto& b = again.value().files[i];
    if (a.path != b.path || a.size != b.size || a.sha256 != b.sha256) std::abort();
  }
  return 0;
}
