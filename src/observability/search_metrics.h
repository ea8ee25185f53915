// Search latency by collection and plan: quiver_search_duration_seconds{collection,plan}.
#pragma once

#include <string>
#include <string_view>

namespace quiver::observability {

// Plans as the planner names them: "exact" (scan), "graph" (HNSW), "filtered" (HNSW with the
// filter as a predicate, or an exact scan of a small filtered candidate set).
void ObserveSearch(const std::string& collection, std::string_view plan, double seconds);

}  // namespace quiver::observability
