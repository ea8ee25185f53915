// Request metrics with Qdrant's names: rest_responses_total and rest_responses_duration_seconds.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace quiver::observability {

class RestMetrics {
 public:
  // Qdrant's histogram buckets (seconds).
  static constexpr std::array<double, 11> kBuckets = {0.001, 0.005, 0.01, 0.02, 0.05, 0.1,
                                                      0.5,   1,     5,    10,   50};

  // Records one response; `endpoint` is the route template.
  void Observe(const std::string& method, const std::string& endpoint, int status, double seconds);
  // Appends the Prometheus text of both families (nothing when there were no requests).
  void Render(std::string& out) const;

 private:
  struct Series {
    uint64_t count = 0;
    double sum = 0;
    std::array<uint64_t, kBuckets.size()> buckets{};
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, Series> series_;
};

// Escapes a label value for the text format.
std::string EscapeLabel(const std::string& v);

}  // namespace quiver::observability
