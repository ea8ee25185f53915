#include "observability/rest_metrics.h"

#include <charconv>

namespace quiver::observability {

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void RestMetrics::Observe(const std::string& method, const std::string& endpoint, int status,
                          double seconds) {
  std::lock_guard lock(mu_);
  Series& s = series_[{method, endpoint, status}];
  ++s.count;
  s.sum += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++s.buckets[i];
  }
}

static std::string Num(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

void RestMetrics::Render(std::string& out) const {
  std::lock_guard lock(mu_);
  if (series_.empty()) return;
  out += "# HELP rest_responses_total total number of responses\n";
  out += "# TYPE rest_responses_total counter\n";
  for (const auto& [key, s] : series_) {
    const auto& [method, endpoint, status] = key;
    out += "rest_responses_total{method=\"" + EscapeLabel(method) + "\",endpoint=\"" +
           EscapeLabel(endpoint) + "\",status=\"" + std::to_string(status) + "\"} " +
           std::to_string(s.count) + "\n";
  }
  out += "# HELP rest_responses_duration_seconds response duration histogram\n";
  out += "# TYPE rest_responses_duration_seconds histogram\n";
  for (const auto& [key, s] : series_) {
    const auto& [method, endpoint, status] = key;
    std::string labels = "method=\"" + EscapeLabel(method) + "\",endpoint=\"" +
                         EscapeLabel(endpoint) + "\",status=\"" + std::to_string(status) + "\"";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += "rest_responses_duration_seconds_bucket{" + labels + ",le=\"" + Num(kBuckets[i]) +
             "\"} " + std::to_string(s.buckets[i]) + "\n";
    }
    out += "rest_responses_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
           std::to_string(s.count) + "\n";
    out += "rest_responses_duration_seconds_sum{" + labels + "} " + Num(s.sum) + "\n";
    out +=
        "rest_responses_duration_seconds_count{" + labels + "} " + std::to_string(s.count) + "\n";
  }
}

}  // namespace quiver::observability
