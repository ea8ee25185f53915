// Point requests and responses: upsert, delete, payload, vectors, batch, retrieve, scroll, count.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/collection/collection.h"
#include "engine/collection/operation.h"

namespace quiver::wire {

// Each returns the engine operation for the body of the matching endpoint.
base::Result<engine::Operation> ParseUpsert(std::string_view body);
base::Result<engine::Operation> ParseDeletePoints(std::string_view body);
base::Result<engine::Operation> ParseSetPayload(std::string_view body, bool overwrite);
base::Result<engine::Operation> ParseDeletePayload(std::string_view body);
base::Result<engine::Operation> ParseClearPayload(std::string_view body);
base::Result<engine::Operation> ParseUpdateVectors(std::string_view body);
base::Result<engine::Operation> ParseDeleteVectors(std::string_view body);
base::Result<std::vector<engine::Operation>> ParseBatchUpdate(std::string_view body);

struct GetPointsRequest {
  std::vector<engine::PointId> ids;
  engine::PayloadSelector with_payload;
  engine::VectorSelector with_vector;
};
base::Result<GetPointsRequest> ParseGetPoints(std::string_view body);
base::Result<engine::ScrollRequest> ParseScroll(std::string_view body);
base::Result<std::optional<engine::Filter>> ParseCount(std::string_view body, bool* exact);
// A point id from a URL path segment: u64 first, then UUID.
base::Result<engine::PointId> ParsePathPointId(std::string_view s);

// Result bodies.
std::string RenderUpdateResult(uint64_t operation_id, bool completed);
std::string RenderRecord(const engine::Record& r, bool single_vector);
std::string RenderRecords(const std::vector<engine::Record>& records, bool single_vector);
// ScoredPoint list (id, version, score, payload, vector).
std::string RenderScoredPoints(const std::vector<engine::Record>& records, bool single_vector);
std::string RenderScroll(const engine::ScrollResult& r, bool single_vector);
std::string RenderCount(uint64_t count);

}  // namespace quiver::wire
