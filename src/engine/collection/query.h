// Universal query (Qdrant's /points/query and the legacy search/recommend routes) as engine types,
// resolved into exact searches over a collection.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/collection/collection.h"

namespace quiver::engine {

// A vector given directly, or the stored vector of a point.
struct VectorInput {
  std::optional<std::vector<float>> vector;
  std::optional<PointId> id;
};

struct QueryRequest {
  enum class Kind { kNone, kNearest, kRecommend };
  Kind kind = Kind::kNone;
  VectorInput nearest;
  std::vector<VectorInput> positive;
  std::vector<VectorInput> negative;
  std::string using_vector;  // "" = the default vector
  std::optional<Filter> filter;
  size_t limit = 10;
  size_t offset = 0;
  std::optional<float> score_threshold;
  bool exact = false;
  std::optional<uint64_t> hnsw_ef;
  std::optional<QuantizationSearchParams> quantization;
  PayloadSelector with_payload;
  VectorSelector with_vector;
  SearchStats* stats = nullptr;  // filled in when set
};

// Runs the query. kNone returns points in id order (score 0); kNearest by a point id excludes
// that point; kRecommend (average_vector strategy) searches avg(pos) + (avg(pos) - avg(neg)) and
// excludes the example points. NotFound when an example point does not exist.
base::Result<std::vector<Record>> RunQuery(const Collection& collection, const QueryRequest& q);

}  // namespace quiver::engine
