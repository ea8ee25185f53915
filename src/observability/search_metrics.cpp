#include "observability/search_metrics.h"

#include "base/stats.h"

namespace quiver::observability {

void ObserveSearch(const std::string& collection, std::string_view plan, double seconds) {
  static base::HistogramFamily& family = base::StatsRegistry::Global().Histogram(
      "quiver_search_duration_seconds", "time to answer one search, by collection and plan",
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
      {"collection", "plan"});
  family.With({collection, std::string(plan)}).Observe(seconds);
}

}  // namespace quiver::observability
