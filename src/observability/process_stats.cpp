#include "observability/process_stats.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

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

void Gauge(std::string& out, const char* name, const char* help, const char* type, long v) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
         name + " " + std::to_string(v) + "\n";
}

}  // namespace

void RenderProcessStats(std::string& out) {
  // /proc/self/stat fields: 10 minflt, 12 majflt, 20 num_threads, 24 rss (pages).
  std::ifstream stat("/proc/self/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close_paren = content.rfind(')');
  if (close_paren != std::string::npos) {
    std::istringstream fields(content.substr(close_paren + 2));
    std::string f;
    long values[64] = {};
    int i = 3;  // field 3 is the first after the command name
    while (fields >> f && i < 64) {
      values[i] = std::atol(f.c_str());
      ++i;
    }
    Gauge(out, "process_threads", "count of active threads", "gauge", values[20]);
    Gauge(out, "process_minor_page_faults_total", "count of minor page faults", "counter",
          values[10]);
    Gauge(out, "process_major_page_faults_total", "count of major page faults", "counter",
          values[12]);
    Gauge(out, "memory_resident_bytes", "resident memory of the process", "gauge",
          values[24] * sysconf(_SC_PAGESIZE));
  }
  Gauge(out, "process_open_fds", "count of currently open file descriptors", "gauge",
        CountDir("/proc/self/fd"));
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  Gauge(out, "process_max_fds", "limit on open file descriptors", "gauge",
        static_cast<long>(lim.rlim_cur));
  Gauge(out, "process_open_mmaps", "count of open mmaps", "gauge", CountLines("/proc/self/maps"));
}

}  // namespace quiver::observability
