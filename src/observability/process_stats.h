// Linux process statistics from /proc and the allocator for /metrics (Qdrant's process_* and
// memory_* families, plus the standard process_cpu_seconds_total / process_start_time_seconds).
#pragma once

#include <string>

namespace quiver::observability {

// Appends process_threads, process_open_fds, process_max_fds, process_open_mmaps,
// system_max_mmaps, process_minor/major_page_faults_total, process_cpu_seconds_total,
// process_start_time_seconds, memory_resident_bytes, memory_allocated_bytes and
// memory_retained_bytes. Cost: a few small /proc reads, a walk of /proc/self/fd and
// /proc/self/maps (one entry per fd and mapping), and glibc's mallinfo2() (a walk of the
// allocator's free lists); nothing proportional to stored data.
void RenderProcessStats(std::string& out);

}  // namespace quiver::observability
