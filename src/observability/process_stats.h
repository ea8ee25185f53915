// Linux process statistics from /proc for /metrics (process_* and memory_* families).
#pragma once

#include <string>

namespace quiver::observability {

// Appends process_threads, process_open_fds, process_max_fds, process_open_mmaps,
// process_minor/major_page_faults_total and memory_resident_bytes.
void RenderProcessStats(std::string& out);

}  // namespace quiver::observability
