// Collections, aliases and payload-index requests and responses (Qdrant JSON ⇄ engine types).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "engine/collection/catalog.h"
#include "engine/collection/collection.h"
#include "engine/collection/collection_config.h"

namespace quiver::wire {

// CreateCollection body → config with defaults applied from `defaults` (the server's storage
// defaults). Format errors for bad JSON or types, Validation errors for out-of-range values.
base::Result<engine::CollectionConfig> ParseCreateCollection(
    std::string_view body, const engine::CollectionConfig& defaults);
// UpdateCollection body applied on top of `current`.
base::Result<engine::CollectionConfig> ParseUpdateCollection(
    std::string_view body, const engine::CollectionConfig& current);
base::Result<std::vector<engine::AliasAction>> ParseAliasActions(std::string_view body);

struct CreateIndexRequest {
  std::string field_name;
  engine::PayloadIndexParams params;
};
base::Result<CreateIndexRequest> ParseCreateIndex(std::string_view body);

// Result bodies (the value of "result").
std::string RenderCollectionInfo(const engine::CollectionInfo& info, std::string_view status);
std::string RenderCollectionConfig(const engine::CollectionConfig& config);
std::string RenderCollectionsList(const std::vector<std::string>& names);
std::string RenderAliases(const std::vector<std::pair<std::string, std::string>>& aliases);

}  // namespace quiver::wire
