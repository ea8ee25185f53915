// The WAL record reader: the input is the content of WAL files (split on the 8-byte marker
// "@@NEXT@@" into consecutive files named by the first op id of their header). Invariants: no
// crash; Open either fails with Corruption naming a wal file, or succeeds and then the log accepts
// a new record, and reopening replays exactly the records seen before plus the new one (a torn tail
// was truncated, not left to hide later writes). Every replayed payload goes through
// DecodeOperation.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/byte_io.h"
#include "engine/collection/operation.h"
#include "engine/wal/wal.h"
#include "mem_fs.h"

namespace {

using quiver::base::Status;
using Records = std::vector<std::pair<uint64_t, std::string>>;

std::string WalName(uint64_t first_op) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "/wal/%020llu.wal", static_cast<unsigned long long>(first_op));
  return buf;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  quiver::fuzz::MemFs fs;
  uint64_t fallback = 1;
  while (true) {
    size_t cut = in.find("@@NEXT@@");
    std::string_view part = in.substr(0, cut);
    uint64_t first = fallback;
    if (part.size() >= 24) std::memcpy(&first, part.data() + 16, 8);  // little-endian header field
    if (first == 0 || first > (uint64_t{1} << 62)) first = fallback;
    fs.files[WalName(first)] = std::string(part);
    fallback = first + 1;
    if (cut == std::string_view::npos || fs.files.size() >= 4) break;
    in.remove_prefix(cut + 8);
  }

  Records seen;
  auto replay = [&seen](uint64_t op, std::string_view payload) {
    (void)quiver::engine::DecodeOperation(payload);
    seen.emplace_back(op, std::string(payload));
    return Status::Ok();
  };
  auto wal = quiver::engine::Wal::Open(&fs, "/wal", 0, replay);
  if (!wal.ok()) {
    if (wal.status().code() != quiver::base::StatusCode::kCorruption) return 0;
    if (wal.status().message().find("/wal/") == std::string::npos) std::abort();  // names the file
    return 0;
  }
  // The collection continues after max(checkpoint op, LastOpId()); a file that starts past both
  // (a roll after a checkpoint, with no records yet) names the next op id.
  uint64_t next = wal.value()->LastOpId() + 1;
  for (const auto& [path, bytes] : fs.files) {
    next = std::max<uint64_t>(next, std::strtoull(path.c_str() + 5, nullptr, 10));
  }
  if (next == 0 || next > (uint64_t{1} << 62)) return 0;
  if (!wal.value()->Append(next, "after-recovery").ok()) std::abort();
  if (!wal.value()->SyncNow().ok()) std::abort();
  wal.value().reset();

  Records again;
  auto wal2 = quiver::engine::Wal::Open(&fs, "/wal", 0, [&again](uint64_t op, std::string_view p) {
    again.emplace_back(op, std::string(p));
    return Status::Ok();
  });
  if (!wal2.ok()) std::abort();  // a log we recovered and appended to must open again
  seen.emplace_back(next, "after-recovery");
  if (again != seen) std::abort();
  return 0;
}
