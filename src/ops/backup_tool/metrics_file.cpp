#include "ops/backup_tool/metrics_file.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace quiver::ops::backup {
namespace {

std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

}  // namespace

std::string RenderMetrics(const BackupMetrics& m) {
  const std::string l = "{schedule=\"" + Escape(m.schedule) + "\"}";
  std::ostringstream o;
  auto gauge = [&](const char* name, const char* help, double v) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n"
      << name << l << " " << Num(v) << "\n";
  };
  gauge("quiver_backup_last_success_timestamp_seconds", "last successful backup (unix time)",
        m.last_success_unix);
  gauge("quiver_backup_last_failure_timestamp_seconds", "last failed backup (unix time)",
        m.last_failure_unix);
  gauge("quiver_backup_duration_seconds", "duration of the last backup", m.duration_sec);
  gauge("quiver_backup_bytes", "bytes written by the last successful backup",
        static_cast<double>(m.bytes));
  if (m.interval_sec > 0) {
    gauge("quiver_backup_schedule_interval_seconds", "interval of the backup schedule",
          m.interval_sec);
  }
  o << "# HELP quiver_backup_runs_total backup runs\n# TYPE quiver_backup_runs_total counter\n";
  const std::string base = "quiver_backup_runs_total{schedule=\"" + Escape(m.schedule) + "\",";
  o << base << "result=\"success\"} " << m.success_total << "\n";
  o << base << "result=\"failure\"} " << m.failure_total << "\n";
  return o.str();
}

base::Status WriteMetricsFile(const std::string& path, const BackupMetrics& m) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << RenderMetrics(m);
    out.flush();
    if (!out) return base::Status::Internal("cannot write metrics file " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return base::Status::Internal("cannot write metrics file " + path + ": " + ec.message());
  return base::Status::Ok();
}

void LoadMetricsFile(const std::string& path, BackupMetrics& m) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.rfind(' ');
    if (sp == std::string::npos) continue;
    double v = 0;
    try {
      v = std::stod(line.substr(sp + 1));
    } catch (...) {
      continue;
    }
    auto starts = [&](const char* p) { return line.rfind(p, 0) == 0; };
    if (starts("quiver_backup_last_success_timestamp_seconds")) m.last_success_unix = v;
    if (starts("quiver_backup_last_failure_timestamp_seconds")) m.last_failure_unix = v;
    if (starts("quiver_backup_bytes")) m.bytes = static_cast<uint64_t>(v);
    if (starts("quiver_backup_runs_total") &&
        line.find("result=\"success\"") != std::string::npos) {
      m.success_total = static_cast<uint64_t>(v);
    }
    if (starts("quiver_backup_runs_total") &&
        line.find("result=\"failure\"") != std::string::npos) {
      m.failure_total = static_cast<uint64_t>(v);
    }
  }
}

}  // namespace quiver::ops::backup
