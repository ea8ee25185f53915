// Disk space of the data directories (statvfs) and the memory limit the process runs under.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace quiver::observability {

// Appends quiver_storage_disk_{total,used,free}_bytes{volume} for each (volume, path): free is
// what an unprivileged writer can still use (f_bavail), used is total minus all free blocks, as
// df reports them. A path that cannot be examined is skipped (logged by the caller's absence).
void RenderDiskStats(std::string& out,
                     const std::vector<std::pair<std::string, std::string>>& volumes);

// The smaller of the cgroup memory limit (v2 memory.max or v1 memory.limit_in_bytes) and the
// machine's MemTotal: what an out-of-memory kill is measured against. Bytes; 0 when unknown.
double MemoryLimitBytes();

// Appends quiver_memory_limit_bytes (skipped when unknown).
void RenderMemoryLimit(std::string& out);

}  // namespace quiver::observability
