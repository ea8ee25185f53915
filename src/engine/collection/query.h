// Universal query (Qdrant's /points/query, its groups, and the legacy search/recommend/discover
// routes) as engine types, resolved into searches and scans over a collection.
#pragma once

#include <functional>
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

struct ContextPair {
  VectorInput positive;
  VectorInput negative;
};

// Where point ids in examples are looked up (`lookup_from`): another collection, one of its
// vectors.
struct LookupFrom {
  std::string collection;
  std::string vector;  // "" = the default vector
};

// Maximal marginal relevance re-ranking of a nearest query (Qdrant's `mmr`).
struct Mmr {
  float diversity = 0.5f;                  // 0 = relevance only, 1 = diversity only
  std::optional<size_t> candidates_limit;  // default: the query's limit
};

struct QueryRequest {
  enum class Kind { kNone, kNearest, kRecommend, kDiscover, kContext, kOrderBy, kFusion, kSample };
  enum class Strategy { kAverageVector, kBestScore, kSumScores };
  enum class Fusion { kRrf, kDbsf };
  Kind kind = Kind::kNone;
  VectorInput nearest;
  std::optional<Mmr> mmr;             // nearest only
  std::vector<VectorInput> positive;  // recommend
  std::vector<VectorInput> negative;
  Strategy strategy = Strategy::kAverageVector;
  VectorInput target;                // discover
  std::vector<ContextPair> context;  // discover, context
  OrderBy order_by;
  Fusion fusion = Fusion::kRrf;
  size_t rrf_k = 2;
  std::vector<float> rrf_weights;      // empty = all 1
  std::vector<QueryRequest> prefetch;  // run first; the query then ranks their results
  std::optional<LookupFrom> lookup_from;
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

// Resolves the vector of a point in another collection (lookup_from); set by the caller, which
// knows the catalog. NotFound when the collection or the point does not exist.
using LookupFn = std::function<base::Result<std::vector<float>>(const LookupFrom&, const PointId&)>;

// Runs the query. kNone returns points in id order (score 0); kNearest by a point id excludes
// that point; kRecommend (average_vector strategy: searches avg(pos) + (avg(pos) - avg(neg));
// best_score and sum_scores: scores every point against each example) excludes the example
// points; kDiscover / kContext score every point against the context pairs, as Qdrant's; kOrderBy
// orders by a payload value; kSample picks random points; kFusion (rrf, dbsf) merges the results
// of the prefetches. With prefetches, the query ranks only the points they found. NotFound when
// an example point does not exist.
base::Result<std::vector<Record>> RunQuery(const Collection& collection, const QueryRequest& q,
                                           const LookupFn& lookup = nullptr);

// Groups by a payload value (/points/query/groups, /search/groups, /recommend/groups).
struct GroupQuery {
  QueryRequest query;
  std::string group_by;
  size_t group_size = 3;
  size_t limit = 10;  // groups
};

struct PointGroup {
  Value id;  // a string or an integer payload value
  std::vector<Record> hits;
};

// The best `limit` groups, each with up to `group_size` best hits, groups ordered by their best
// hit. Points whose `group_by` value is missing or not a string/integer are left out; a point
// with an array value joins each of its values' groups.
base::Result<std::vector<PointGroup>> RunGroupQuery(const Collection& collection,
                                                    const GroupQuery& g,
                                                    const LookupFn& lookup = nullptr);

}  // namespace quiver::engine
