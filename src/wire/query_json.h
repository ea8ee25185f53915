// Internal to wire/: the query-shaped request bodies on the DOM, shared by query_wire.cpp and
// query_groups_wire.cpp.
#pragma once

#include "engine/collection/query.h"
#include "wire/json_in.h"

namespace quiver::wire {

// The members of a /points/query, /points/search, /points/recommend or /points/discover body.
base::Status ParseQueryFields(Json v, engine::QueryRequest& q);
base::Status ParseSearchFields(Json v, engine::QueryRequest& q);
base::Status ParseRecommendFields(Json v, engine::QueryRequest& q);
base::Status ParseDiscoverFields(Json v, engine::QueryRequest& q);

}  // namespace quiver::wire
