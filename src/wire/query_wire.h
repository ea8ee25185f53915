// Query, search and recommend requests (universal /points/query and the legacy routes).
#pragma once

#include <optional>
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
// Legacy /points/discover and /points/discover/batch (context search without a target).
base::Result<engine::QueryRequest> ParseDiscover(std::string_view body);
base::Result<std::vector<engine::QueryRequest>> ParseDiscoverBatch(std::string_view body);

// Groups (/points/query/groups and the legacy /points/search/groups, /points/recommend/groups).
struct WithLookup {
  std::string collection;
  engine::PayloadSelector with_payload{engine::PayloadSelector::Mode::kAll, {}};
  engine::VectorSelector with_vector;
};
struct GroupsRequest {
  engine::GroupQuery groups;
  std::optional<WithLookup> with_lookup;
};
enum class GroupsKind { kQuery, kSearch, kRecommend };
base::Result<GroupsRequest> ParseGroups(std::string_view body, GroupsKind kind);

// /collections/{name}/facet
struct FacetRequest {
  std::string key;
  size_t limit = 10;
  std::optional<engine::Filter> filter;
  bool exact = false;
};
base::Result<FacetRequest> ParseFacet(std::string_view body);

// {"points":[ScoredPoint...]}
std::string RenderQueryResponse(const std::vector<engine::Record>& points, bool single_vector);
// {"groups":[{"id", "hits":[ScoredPoint...], "lookup"?}]}; `lookups` (empty, or one per group)
// holds each group's looked-up record, rendered with `lookup_single_vector`.
std::string RenderGroups(const std::vector<engine::PointGroup>& groups,
                         const std::vector<std::optional<engine::Record>>& lookups,
                         bool single_vector, bool lookup_single_vector);
// {"hits":[{"value", "count"}]}
std::string RenderFacet(const std::vector<engine::FacetHit>& hits);

}  // namespace quiver::wire
