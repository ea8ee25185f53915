#include "observability/resource_stats.h"

#include <sys/statvfs.h>

#include <fstream>
#include <string>

#include "observability/text_format.h"

namespace quiver::observability {
namespace {

// A cgroup limit file: a byte count, or "max" (no limit) → 0.
double ReadLimit(const char* path) {
  std::ifstream in(path);
  std::string word;
  if (!(in >> word) || word == "max") return 0;
  try {
    return std::stod(word);
  } catch (...) {
    return 0;
  }
}

double MemTotalBytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kib = 0;
  while (in >> key) {
    if (key == "MemTotal:") {
      in >> kib;
      return kib * 1024;
    }
    in.ignore(1 << 16, '\n');
  }
  return 0;
}

}  // namespace

void RenderDiskStats(std::string& out,
                     const std::vector<std::pair<std::string, std::string>>& volumes) {
  struct Row {
    std::string volume;
    double total, used, free;
  };
  std::vector<Row> rows;
  for (const auto& [volume, path] : volumes) {
    struct statvfs st {};
    if (path.empty() || statvfs(path.c_str(), &st) != 0) continue;
    const double unit = static_cast<double>(st.f_frsize);
    rows.push_back({volume, unit * static_cast<double>(st.f_blocks),
                    unit * static_cast<double>(st.f_blocks - st.f_bfree),
                    unit * static_cast<double>(st.f_bavail)});
  }
  if (rows.empty()) return;
  struct Family {
    const char* name;
    const char* help;
    double Row::*field;
  };
  const Family families[] = {
      {"quiver_storage_disk_total_bytes", "size of the file system holding the volume",
       &Row::total},
      {"quiver_storage_disk_used_bytes", "bytes used on the file system holding the volume",
       &Row::used},
      {"quiver_storage_disk_free_bytes",
       "bytes still available to Quiver on the file system holding the volume", &Row::free},
  };
  for (const auto& f : families) {
    AppendHeader(out, f.name, f.help, "gauge");
    for (const auto& row : rows) AppendSample(out, f.name, {{"volume", row.volume}}, row.*f.field);
  }
}

double MemoryLimitBytes() {
  double limit = ReadLimit("/sys/fs/cgroup/memory.max");
  if (limit <= 0) limit = ReadLimit("/sys/fs/cgroup/memory/memory.limit_in_bytes");
  double total = MemTotalBytes();
  if (limit <= 0 || (total > 0 && limit > total)) limit = total;  // v1 "unlimited" is ~2^63
  return limit;
}

void RenderMemoryLimit(std::string& out) {
  double limit = MemoryLimitBytes();
  if (limit <= 0) return;
  AppendGauge(out, "quiver_memory_limit_bytes",
              "memory limit of the process: cgroup limit, or physical memory when lower", limit);
}

}  // namespace quiver::observability
