#include "observability/process_stats.h"

#include <dirent.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "observability/text_format.h"

namespace quiver::observability {
namespace {

long CountDir(const char* path) {
  DIR* d = opendir(path);
  if (!d) return 0;
  long n = 0;
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

long CountLines(const char* path) {
  std::ifstream in(path);
  long n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

// The first number in a file, or -1.
double ReadNumber(const char* path) {
  std::ifstream in(path);
  double v = -1;
  if (!(in >> v)) return -1;
  return v;
}

// Seconds since the epoch at which the machine booted (/proc/stat "btime"), or 0.
double BootTime() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double v = 0;
      in >> v;
      return v;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

void Metric(std::string& out, const char* name, const char* help, const char* type, double v) {
  AppendHeader(out, name, help, type);
  AppendSample(out, name, {}, v);
}

}  // namespace

void RenderProcessStats(std::string& out) {
  // /proc/self/stat fields: 10 minflt, 12 majflt, 14 utime, 15 stime, 20 num_threads,
  // 22 starttime (clock ticks after boot), 24 rss (pages).
  std::ifstream stat("/proc/self/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close_paren = content.rfind(')');
  if (close_paren != std::string::npos && close_paren + 2 < content.size()) {
    std::istringstream fields(content.substr(close_paren + 2));
    std::string f;
    double values[64] = {};
    int i = 3;  // field 3 is the first after the command name
    while (fields >> f && i < 64) {
      values[i] = std::atof(f.c_str());
      ++i;
    }
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    Metric(out, "process_threads", "count of active threads", "gauge", values[20]);
    Metric(out, "process_minor_page_faults_total", "count of minor page faults", "counter",
           values[10]);
    Metric(out, "process_major_page_faults_total", "count of major page faults", "counter",
           values[12]);
    Metric(out, "process_cpu_seconds_total", "user and system CPU time spent in seconds", "counter",
           (values[14] + values[15]) / ticks);
    Metric(out, "process_start_time_seconds", "start time of the process since unix epoch", "gauge",
           BootTime() + values[22] / ticks);
    Metric(out, "memory_resident_bytes", "resident memory of the process", "gauge",
           values[24] * static_cast<double>(sysconf(_SC_PAGESIZE)));
  }
  // glibc's allocator: bytes handed out to the program, and free bytes it keeps.
  struct mallinfo2 mi = mallinfo2();
  Metric(out, "memory_allocated_bytes", "bytes allocated by the program (glibc malloc)", "gauge",
         static_cast<double>(mi.uordblks + mi.hblkhd));
  Metric(out, "memory_retained_bytes", "free bytes kept by the allocator (glibc malloc)", "gauge",
         static_cast<double>(mi.fordblks));
  Metric(out, "process_open_fds", "count of currently open file descriptors", "gauge",
         static_cast<double>(CountDir("/proc/self/fd")));
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  Metric(out, "process_max_fds", "limit on open file descriptors", "gauge",
         static_cast<double>(lim.rlim_cur));
  Metric(out, "process_open_mmaps", "count of open mmaps", "gauge",
         static_cast<double>(CountLines("/proc/self/maps")));
  double max_mmaps = ReadNumber("/proc/sys/vm/max_map_count");
  if (max_mmaps >= 0) {
    Metric(out, "system_max_mmaps", "system-wide limit of mmaps per process", "gauge", max_mmaps);
  }
}

}  // namespace quiver::observability
