#include "ops/ingest/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <mutex>

#include "wire/json_out.h"

namespace quiver::ops::ingest {
namespace {

std::mutex g_term_mu;
bool g_bar_shown = false;

std::string Bytes(uint64_t n) {
  char buf[32];
  if (n >= (1ull << 30)) {
    snprintf(buf, sizeof(buf), "%.2f GB", n / double(1ull << 30));
  } else if (n >= (1ull << 20)) {
    snprintf(buf, sizeof(buf), "%.1f MB", n / double(1ull << 20));
  } else {
    snprintf(buf, sizeof(buf), "%.1f KB", n / 1024.0);
  }
  return buf;
}

std::string Duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  uint64_t t = static_cast<uint64_t>(s + 0.5);
  char buf[32];
  if (t >= 3600) {
    snprintf(buf, sizeof(buf), "%llu:%02llu:%02llu", (unsigned long long)(t / 3600),
             (unsigned long long)(t / 60 % 60), (unsigned long long)(t % 60));
  } else {
    snprintf(buf, sizeof(buf), "%llu:%02llu", (unsigned long long)(t / 60),
             (unsigned long long)(t % 60));
  }
  return buf;
}

}  // namespace

std::string Thousands(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

void LogLine(const std::string& message) {
  std::lock_guard<std::mutex> lock(g_term_mu);
  if (g_bar_shown) fputs("\r\033[K", stderr);
  g_bar_shown = false;
  fprintf(stderr, "ingest: %s\n", message.c_str());
  fflush(stderr);
}

ProgressDisplay::ProgressDisplay(const std::string& mode_text, double log_interval_sec,
                                 const LiveStats* stats, const InputProgress* input,
                                 const LoadTotals& resumed)
    : log_interval_(log_interval_sec), stats_(stats), input_(input), resumed_(resumed) {
  if (mode_text == "bar") {
    mode_ = Mode::kBar;
  } else if (mode_text == "log") {
    mode_ = Mode::kLog;
  } else if (mode_text == "none") {
    mode_ = Mode::kNone;
  } else {
    mode_ = isatty(STDERR_FILENO) ? Mode::kBar : Mode::kLog;
  }
  start_ = last_ = std::chrono::steady_clock::now();
}

std::string ProgressDisplay::Line(bool bar) const {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  uint64_t records = stats_->records.load();
  uint64_t total_records = input_->total_records.load();
  uint64_t total_bytes = input_->total_bytes.load();
  double fraction = -1;
  if (total_records > 0) {
    fraction = double(resumed_.records + records) / double(total_records);
  } else if (total_bytes > 0) {
    fraction = double(input_->bytes.load()) / double(total_bytes);
  }
  fraction = std::min(fraction, 1.0);
  double rate = elapsed > 0 ? records / elapsed : 0;
  std::string eta;
  if (fraction >= 0 && start_fraction_ >= 0 && fraction > start_fraction_ && elapsed > 1) {
    double speed = (fraction - start_fraction_) / elapsed;
    eta = Duration((1 - fraction) / speed);
  }
  uint64_t rejected = resumed_.rejected + stats_->rejected.load();
  char buf[256];
  std::string out;
  if (bar) {
    if (fraction >= 0) {
      int filled = static_cast<int>(fraction * 24);
      out = "[" + std::string(filled, '#') + std::string(24 - filled, '.') + "] ";
      snprintf(buf, sizeof(buf), "%3d%% ", static_cast<int>(fraction * 100));
      out += buf;
    }
    out += Thousands(resumed_.records + records) + " rec  " + Bytes(input_->bytes.load()) + "  " +
           Thousands(static_cast<uint64_t>(rate)) + " rec/s";
    if (!eta.empty()) out += "  ETA " + eta;
    if (rejected > 0) out += "  rejected " + Thousands(rejected);
    return out;
  }
  out = Thousands(resumed_.records + records) + " records";
  if (fraction >= 0) {
    snprintf(buf, sizeof(buf), " (%.1f%%)", fraction * 100);
    out += buf;
  }
  out += ", " + Bytes(input_->bytes.load()) + " read, " + Thousands(static_cast<uint64_t>(rate)) +
         " records/s, " + Thousands(rejected) + " rejected, " + Thousands(stats_->retries.load()) +
         " retries";
  if (!eta.empty()) out += ", ETA " + eta;
  return out;
}

void ProgressDisplay::Tick() {
  if (mode_ == Mode::kNone) return;
  auto now = std::chrono::steady_clock::now();
  if (start_fraction_ < 0) {
    uint64_t tb = input_->total_bytes.load(), tr = input_->total_records.load();
    if (tr > 0) {
      start_fraction_ = double(resumed_.records) / double(tr);
    } else if (tb > 0 && input_->bytes.load() > 0) {  // after the first batch (or the resume seek)
      start_fraction_ = double(input_->bytes.load()) / double(tb);
    }
  }
  double since = std::chrono::duration<double>(now - last_).count();
  if (mode_ == Mode::kBar) {
    if (since < 0.2) return;
    last_ = now;
    std::string line = Line(true);
    std::lock_guard<std::mutex> lock(g_term_mu);
    fprintf(stderr, "\r\033[K%s", line.c_str());
    fflush(stderr);
    g_bar_shown = true;
    return;
  }
  if (since < log_interval_) return;
  last_ = now;
  LogLine(Line(false));
}

void ProgressDisplay::Finish() {
  std::lock_guard<std::mutex> lock(g_term_mu);
  if (g_bar_shown) fputs("\r\033[K", stderr);
  g_bar_shown = false;
  fflush(stderr);
}

std::string SummaryLine(const Summary& s) {
  double rate = s.seconds > 0 ? s.this_run.records / s.seconds : 0;
  char secs[64];
  snprintf(secs, sizeof(secs), "%.1f s", s.seconds);
  std::string out = s.status + ": ";
  out += (s.dry_run ? "parsed " : "loaded ") + Thousands(s.totals.loaded) + " of " +
         Thousands(s.totals.records) + " records";
  if (!s.dry_run) out += " into " + s.collection;
  out += ", " + Thousands(s.totals.rejected) + " rejected";
  if (!s.reject_file.empty()) out += " (see " + s.reject_file + ")";
  out += "; this run " + Thousands(s.this_run.records) + " records in " + secs + ", " +
         Thousands(static_cast<uint64_t>(rate)) + " records/s";
  if (s.retries > 0) out += ", " + Thousands(s.retries) + " retries";
  if (s.seconds_to_green) {
    snprintf(secs, sizeof(secs), "%.1f s", *s.seconds_to_green);
    out += std::string("; green after ") + secs;
  }
  if (s.resumed) out += " (resumed from checkpoint)";
  return out;
}

std::string ReportJson(const Summary& s) {
  wire::JsonOut o;
  auto totals = [&o](const LoadTotals& t) {
    o.BeginObject().Key("records").Uint(t.records).Key("loaded").Uint(t.loaded);
    o.Key("rejected").Uint(t.rejected).EndObject();
  };
  o.BeginObject();
  o.Key("status").String(s.status).Key("exit_code").Int(s.exit_code);
  o.Key("error");
  s.error.empty() ? o.Null() : o.String(s.error);
  o.Key("url").String(s.url).Key("collection").String(s.collection);
  o.Key("source").String(s.source).Key("format").String(s.format);
  o.Key("dry_run").Bool(s.dry_run);
  o.Key("records").Uint(s.totals.records).Key("loaded").Uint(s.totals.loaded);
  o.Key("rejected").Uint(s.totals.rejected);
  o.Key("this_run");
  totals(s.this_run);
  o.Key("resumed").Bool(s.resumed);
  o.Key("seconds").Double(s.seconds);
  o.Key("records_per_second").Double(s.seconds > 0 ? s.this_run.records / s.seconds : 0);
  o.Key("seconds_to_green");
  s.seconds_to_green ? o.Double(*s.seconds_to_green) : o.Null();
  o.Key("requests").Uint(s.requests).Key("retries").Uint(s.retries).Key("splits").Uint(s.splits);
  o.Key("bytes_read").Uint(s.bytes_read).Key("bytes_sent").Uint(s.bytes_sent);
  o.Key("reject_file");
  s.reject_file.empty() ? o.Null() : o.String(s.reject_file);
  o.EndObject();
  return o.Take() + "\n";
}

}  // namespace quiver::ops::ingest
