// Update operations: what a write request means to a collection, and what the WAL records.
// Selections by filter are resolved to point ids before logging, so replay is deterministic.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/byte_io.h"
#include "base/status.h"
#include "engine/filter/filter.h"
#include "engine/types/named_vectors.h"
#include "engine/types/point_id.h"
#include "engine/types/value.h"

namespace quiver::engine {

struct PointStruct {
  PointId id;
  NamedVectors vectors;
  std::optional<Value> payload;  // an object, or nullopt for none
};

// Which points an operation applies to: explicit ids or a filter.
struct PointSelector {
  std::vector<PointId> ids;
  std::optional<Filter> filter;  // when set, ids is ignored until resolved
};

struct UpsertOp {
  std::vector<PointStruct> points;
  enum class Mode { kUpsert, kInsertOnly, kUpdateOnly } mode = Mode::kUpsert;
  std::optional<Filter> update_filter;  // only replace existing points matching this filter
};
struct DeletePointsOp {
  PointSelector selector;
};
struct SetPayloadOp {
  PointSelector selector;
  Value payload;
  std::optional<std::string> key;  // nested path to merge into
  bool overwrite = false;          // PUT /points/payload replaces the whole payload
};
struct DeletePayloadOp {
  PointSelector selector;
  std::vector<std::string> keys;
};
struct ClearPayloadOp {
  PointSelector selector;
};
struct UpdateVectorsOp {
  std::vector<PointStruct> points;  // payload unused
  std::optional<Filter> update_filter;
};
struct DeleteVectorsOp {
  PointSelector selector;
  std::vector<std::string> names;
};

using Operation = std::variant<UpsertOp, DeletePointsOp, SetPayloadOp, DeletePayloadOp,
                               ClearPayloadOp, UpdateVectorsOp, DeleteVectorsOp>;

// WAL payload encoding (docs/formats/wal.md, "operation records"). Filters must have been resolved
// to ids first (Encode asserts nothing: a filter is simply not written). Decode returns Corruption
// on malformed bytes.
std::string EncodeOperation(const Operation& op);
base::Result<Operation> DecodeOperation(std::string_view bytes);

}  // namespace quiver::engine
