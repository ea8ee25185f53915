#include "wire/json_in.h"

#include <algorithm>
#include <cmath>

#include "wire/limits.h"

namespace quiver::wire {

using base::Result;
using base::Status;

Result<Json> ParseBody(std::string_view body) {
  thread_local simdjson::dom::parser parser;
  thread_local std::string buffer;  // reused with its padding: no fresh pages per request
  const size_t max_depth = Limits().max_json_depth;
  if (parser.max_depth() != max_depth) {
    // Reallocates with the configured depth; later parses keep it when they grow the capacity.
    if (parser.allocate(std::max<size_t>(body.size(), 4096), max_depth) != simdjson::SUCCESS) {
      return Status::Internal("cannot allocate the JSON parser");
    }
  }
  buffer.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  buffer.assign(body);
  Json doc;
  auto err = parser.parse(buffer.data(), body.size(), /*realloc_if_needed=*/false).get(doc);
  if (err == simdjson::DEPTH_ERROR) {
    return Status::Format("JSON nesting is deeper than the limit of " + std::to_string(max_depth) +
                          " levels (service.max_json_depth)");
  }
  if (err) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      return Status::Format("EOF while parsing a value at line 1 column 0");
    }
    return Status::Format(std::string(simdjson::error_message(err)));
  }
  return doc;
}

std::string JsonTypeName(Json v) {
  switch (v.type()) {
    case simdjson::dom::element_type::ARRAY:
      return "sequence";
    case simdjson::dom::element_type::OBJECT:
      return "map";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
      return "integer `" + simdjson::minify(v) + "`";
    case simdjson::dom::element_type::DOUBLE:
      return "floating point `" + simdjson::minify(v) + "`";
    case simdjson::dom::element_type::STRING:
      return "string " + simdjson::minify(v);
    case simdjson::dom::element_type::BOOL:
      return "boolean `" + simdjson::minify(v) + "`";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
  }
  return "value";
}

static std::string At(std::string_view path) {
  if (path.empty()) return "";
  return " at `" + std::string(path) + "`";
}

Status TypeError(Json got, std::string_view expected, std::string_view path) {
  return Status::Format("invalid type: " + JsonTypeName(got) + ", expected " +
                        std::string(expected) + At(path));
}

Status UnknownField(std::string_view key, std::string_view path) {
  return Status::Format("unknown field `" + std::string(key) + "`" + At(path));
}

Status MissingField(std::string_view key, std::string_view path) {
  return Status::Format("missing field `" + std::string(key) + "`" + At(path));
}

std::string Sub(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return std::string(path) + "." + std::string(key);
}

std::string Sub(std::string_view path, size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

Result<JsonObject> AsObject(Json v, std::string_view path) {
  JsonObject o;
  if (v.get_object().get(o)) return TypeError(v, "a map", path);
  return o;
}

Result<JsonArray> AsArray(Json v, std::string_view path) {
  JsonArray a;
  if (v.get_array().get(a)) return TypeError(v, "a sequence", path);
  return a;
}

Result<std::string> AsString(Json v, std::string_view path) {
  std::string_view s;
  if (v.get_string().get(s)) return TypeError(v, "a string", path);
  return std::string(s);
}

Result<bool> AsBool(Json v, std::string_view path) {
  bool b;
  if (v.get_bool().get(b)) return TypeError(v, "a boolean", path);
  return b;
}

Result<uint64_t> AsUint(Json v, std::string_view path) {
  if (v.is_uint64()) return uint64_t(v.get_uint64().value_unsafe());
  if (v.is_int64()) {
    int64_t i = v.get_int64().value_unsafe();
    if (i >= 0) return uint64_t(i);
  }
  return TypeError(v, "u64", path);
}

Result<int64_t> AsInt(Json v, std::string_view path) {
  if (v.is_int64()) return int64_t(v.get_int64().value_unsafe());
  return TypeError(v, "i64", path);
}

Result<double> AsDouble(Json v, std::string_view path) {
  double d;
  if (v.is_int64()) return double(v.get_int64().value_unsafe());
  if (v.is_uint64()) return double(v.get_uint64().value_unsafe());
  if (v.get_double().get(d)) return TypeError(v, "f64", path);
  return d;
}

Result<float> AsFloat(Json v, std::string_view path) {
  auto d = AsDouble(v, path);
  if (!d.ok()) return TypeError(v, "f32", path);
  return static_cast<float>(d.value());
}

engine::Value ToValue(Json v) {
  switch (v.type()) {
    case simdjson::dom::element_type::ARRAY: {
      engine::Array a;
      JsonArray arr = v.get_array().value_unsafe();  // keep it alive for the loop
      for (Json e : arr) a.push_back(ToValue(e));
      return engine::Value(std::move(a));
    }
    case simdjson::dom::element_type::OBJECT: {
      engine::Value obj{engine::Object{}};
      JsonObject members = v.get_object().value_unsafe();
      for (auto field : members) {
        obj.Set(std::string(field.key), ToValue(field.value));  // last duplicate wins
      }
      return obj;
    }
    case simdjson::dom::element_type::INT64:
      return engine::Value(v.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64:
      return engine::Value(static_cast<double>(v.get_uint64().value_unsafe()));
    case simdjson::dom::element_type::DOUBLE:
      return engine::Value(v.get_double().value_unsafe());
    case simdjson::dom::element_type::STRING:
      return engine::Value(std::string(v.get_string().value_unsafe()));
    case simdjson::dom::element_type::BOOL:
      return engine::Value(v.get_bool().value_unsafe());
    case simdjson::dom::element_type::NULL_VALUE:
      return engine::Value();
  }
  return engine::Value();
}

Result<engine::PointId> AsPointId(Json v, std::string_view path) {
  if (v.is_uint64() || (v.is_int64() && v.get_int64().value_unsafe() >= 0)) {
    return engine::PointId::Num(v.is_uint64() ? v.get_uint64().value_unsafe()
                                              : uint64_t(v.get_int64().value_unsafe()));
  }
  std::string_view s;
  if (!v.get_string().get(s)) {
    if (auto id = engine::PointId::ParseUuid(s)) return *id;
  }
  return Status::Format("value " + simdjson::minify(v) +
                        " is not a valid point ID, valid values are either an unsigned integer "
                        "or a UUID" +
                        At(path));
}

}  // namespace quiver::wire
