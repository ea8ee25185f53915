// Query, search and recommend requests (universal /points/query and the legacy routes).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/collection/query.h"

namespace quiver::wire {

base::Result<engine::QueryRequest> ParseQuery(std::string_view body);
base::Result<std::vector<engine::QueryRequest>> ParseQueryBatch(std::string_view body);
// Legacy /points/search (`top` is an alias of `limit`) and /points/search/batch.
base::Result<engine::QueryRequest> ParseSearch(std::string_view body);
base::Result<std::vector<engine::QueryRequest>> ParseSearchBatch(std::string_view body);
// Legacy /points/recommend and /points/recommend/batch.
base::Result<engine::QueryRequest> ParseRecommend(std::string_view body);
base::Result<std::vector<engine::QueryRequest>> ParseRecommendBatch(std::string_view body);

// {"points":[ScoredPoint...]}
std::string RenderQueryResponse(const std::vector<engine::Record>& points, bool single_vector);

}  // namespace quiver::wire
