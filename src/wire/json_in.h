// Internal to wire/: reading simdjson DOM elements into engine types with Qdrant-style error
// messages. Only wire/*.cpp include this (simdjson is a heavy header).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/types/point_id.h"
#include "engine/types/value.h"

namespace quiver::wire {

using Json = simdjson::dom::element;
using JsonObject = simdjson::dom::object;
using JsonArray = simdjson::dom::array;

// Parses `body` into a DOM owned by a thread-local parser; the element stays valid until the next
// Parse on this thread. Format error "Format error in JSON body: ..." on malformed JSON.
base::Result<Json> ParseBody(std::string_view body);

// "string", "integer", "map", ... as serde names JSON types in its messages.
std::string JsonTypeName(Json v);
// Format error "invalid type: <got>, expected <expected> at `<path>`".
base::Status TypeError(Json got, std::string_view expected, std::string_view path);
// Format error "unknown field `<key>`, expected one of ... at `<path>`".
base::Status UnknownField(std::string_view key, std::string_view path);
// Format error "missing field `<key>` at `<path>`".
base::Status MissingField(std::string_view key, std::string_view path);

std::string Sub(std::string_view path, std::string_view key);  // path.key (or key at the root)
std::string Sub(std::string_view path, size_t index);          // path[i]

base::Result<JsonObject> AsObject(Json v, std::string_view path);
base::Result<JsonArray> AsArray(Json v, std::string_view path);
base::Result<std::string> AsString(Json v, std::string_view path);
base::Result<bool> AsBool(Json v, std::string_view path);
base::Result<uint64_t> AsUint(Json v, std::string_view path);
base::Result<int64_t> AsInt(Json v, std::string_view path);
base::Result<double> AsDouble(Json v, std::string_view path);  // any number
base::Result<float> AsFloat(Json v, std::string_view path);

// Any JSON → engine Value.
engine::Value ToValue(Json v);
// u64 or UUID string; a numeric string is rejected as Qdrant does.
base::Result<engine::PointId> AsPointId(Json v, std::string_view path);

// Calls f(key, value) for each member; stops at the first non-ok Status.
template <typename F>
base::Status ForEachField(JsonObject obj, F&& f) {
  for (auto field : obj) {
    base::Status st = f(std::string_view(field.key), field.value);
    if (!st.ok()) return st;
  }
  return base::Status::Ok();
}

}  // namespace quiver::wire
