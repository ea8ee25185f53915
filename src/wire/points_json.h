// Internal to wire/: shared pieces of point parsing (vectors, selectors, with_payload) on the DOM.
#pragma once

#include "engine/collection/collection.h"
#include "engine/collection/operation.h"
#include "wire/json_in.h"

namespace quiver::wire {

// VectorStruct: [floats] (the default vector) or {"name": [floats], ...}.
base::Status ParseVectorStruct(Json v, std::string_view path, engine::NamedVectors& out);
// {"points":[ids]} or {"filter":{...}} members of `obj`.
base::Status ParseSelectorFields(JsonObject obj, std::string_view path, engine::PointSelector& out);
// with_payload: bool | [keys] | {"include": ...} | {"exclude": ...}.
base::Status ParseWithPayload(Json v, std::string_view path, engine::PayloadSelector& out);
// with_vector: bool | [names].
base::Status ParseWithVector(Json v, std::string_view path, engine::VectorSelector& out);
base::Status ParseIdList(Json v, std::string_view path, std::vector<engine::PointId>& out);
// Dense float vector.
base::Status ParseFloats(Json v, std::string_view path, std::vector<float>& out);
// OrderBy: a key name, or {"key", "direction": "asc"|"desc", "start_from": number|datetime}.
base::Status ParseOrderBy(Json v, std::string_view path, engine::OrderBy& out);
// Operation parsers over an already-parsed object (used by batch too).
base::Result<engine::Operation> UpsertFromJson(Json v, std::string_view path);
base::Result<engine::Operation> DeleteFromJson(Json v, std::string_view path);
base::Result<engine::Operation> SetPayloadFromJson(Json v, std::string_view path, bool overwrite);
base::Result<engine::Operation> DeletePayloadFromJson(Json v, std::string_view path);
base::Result<engine::Operation> ClearPayloadFromJson(Json v, std::string_view path);
base::Result<engine::Operation> UpdateVectorsFromJson(Json v, std::string_view path);
base::Result<engine::Operation> DeleteVectorsFromJson(Json v, std::string_view path);

}  // namespace quiver::wire
