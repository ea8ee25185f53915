#include "observability/rest_metrics.h"

namespace quiver::observability {

void RestMetrics::Observe(const std::string& method, const std::string& endpoint, int status,
                          double seconds, const std::string& collection) {
  std::lock_guard lock(mu_);
  std::string label = status == 404 ? "" : collection;
  if (!label.empty() && !collections_.count(label)) {
    if (collections_.size() >= kMaxCollections) {
      label.clear();
    } else {
      collections_.insert(label);
    }
  }
  Series& s = series_[{method, endpoint, status, label}];
  ++s.count;
  s.sum += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++s.buckets[i];
  }
}

void RestMetrics::Render(std::string& out, bool per_collection) const {
  std::map<Key, Series> merged;
  {
    std::lock_guard lock(mu_);
    if (series_.empty()) return;
    if (per_collection) {
      merged = series_;
    } else {
      for (const auto& [key, s] : series_) {
        auto global = key;
        std::get<3>(global).clear();
        Series& m = merged[global];
        m.count += s.count;
        m.sum += s.sum;
        for (size_t i = 0; i < kBuckets.size(); ++i) m.buckets[i] += s.buckets[i];
      }
    }
  }
  auto labels_of = [](const Key& key) {
    const auto& [method, endpoint, status, collection] = key;
    Labels labels = {
        {"method", method}, {"endpoint", endpoint}, {"status", std::to_string(status)}};
    if (!collection.empty()) labels.emplace_back("collection", collection);
    return labels;
  };
  AppendHeader(out, "rest_responses_total", "total number of responses", "counter");
  for (const auto& [key, s] : merged) {
    AppendSample(out, "rest_responses_total", labels_of(key), static_cast<double>(s.count));
  }
  std::vector<double> bounds(kBuckets.begin(), kBuckets.end());
  bool header = false;
  for (const auto& [key, s] : merged) {
    if (std::get<2>(key) != 200) continue;  // Qdrant times successful responses only
    if (!header) {
      AppendHeader(out, "rest_responses_duration_seconds", "response duration histogram",
                   "histogram");
      header = true;
    }
    std::vector<uint64_t> cumulative(s.buckets.begin(), s.buckets.end());
    AppendHistogram(out, "rest_responses_duration_seconds", labels_of(key), bounds, cumulative,
                    s.count, s.sum);
  }
}

}  // namespace quiver::observability
