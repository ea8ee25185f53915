// Request limits the wire parsers enforce (service.max_* in the config). Process-wide: set once at
// start-up, before any request is parsed; every violation is a 4xx with a message naming the key.
#pragma once

#include <cstddef>
#include <cstdint>

namespace quiver::wire {

struct RequestLimits {
  size_t max_json_depth = 128;  // nesting of arrays/objects in a body (serde_json's default)
  uint64_t max_vector_dimension = 65536;  // vector size at collection creation (Qdrant's cap)
  uint64_t max_batch_points = 100000;     // points in one upsert (`points` or `batch.ids`)
  size_t max_filter_depth = 32;           // nested filters (must/should/must_not/min_should/nested)
  uint64_t max_query_limit = UINT64_MAX;  // `limit` (`top`) of queries, searches and scrolls
  uint64_t max_query_offset = UINT64_MAX;  // `offset` of queries and searches
};

const RequestLimits& Limits();
void SetLimits(const RequestLimits& limits);

}  // namespace quiver::wire
