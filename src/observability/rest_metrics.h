// Request metrics with Qdrant's names: rest_responses_total{method,endpoint,status} and the
// rest_responses_duration_seconds histogram (Qdrant's buckets; status 200 only, as Qdrant).
// With per_collection, both carry a `collection` label (the path's collection_name) instead.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>

#include "observability/text_format.h"

namespace quiver::observability {

class RestMetrics {
 public:
  // Qdrant's histogram buckets (seconds).
  static constexpr std::array<double, 11> kBuckets = {0.001, 0.005, 0.01, 0.02, 0.05, 0.1,
                                                      0.5,   1,     5,    10,   50};
  // Distinct collection label values kept; later ones are counted without the label, so a
  // client requesting random collection names cannot grow the series without bound.
  static constexpr size_t kMaxCollections = 1000;

  // Records one response; `endpoint` is the route template, `collection` the collection named in
  // the path ("" for none; ignored for 404 answers, which name no existing collection).
  void Observe(const std::string& method, const std::string& endpoint, int status, double seconds,
               const std::string& collection = "");
  // Appends the Prometheus text of both families (nothing when there were no requests).
  void Render(std::string& out, bool per_collection = false) const;

 private:
  struct Series {
    uint64_t count = 0;
    double sum = 0;
    std::array<uint64_t, kBuckets.size()> buckets{};
  };
  using Key = std::tuple<std::string, std::string, int, std::string>;  // method, endpoint,
                                                                       // status, collection
  mutable std::mutex mu_;
  std::map<Key, Series> series_;
  std::set<std::string> collections_;
};

}  // namespace quiver::observability
