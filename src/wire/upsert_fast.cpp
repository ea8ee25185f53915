// The upsert fast path: the common body {"points":[{"id","vector","payload"}, ...]} read with
// simdjson On-Demand, straight into engine types, without building a DOM first. Anything else
// (other fields, named-vector objects with non-array members, duplicate keys, bad values, JSON
// errors) returns nullopt and the caller parses the body again with the DOM parser, whose answers
// (and Qdrant-style error messages) stay the reference: this path only ever accepts what that one
// accepts, with the same result (checked by wire_test and the request-body fuzzer).
#include "wire/upsert_fast.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <string>

#include "wire/limits.h"

namespace quiver::wire {
namespace {

namespace od = simdjson::ondemand;

// Non-integer numbers written with more than 19 characters go to the DOM parser: simdjson's
// On-Demand and DOM parsers round such long literals differently; so do integers past 64 bits,
// which the DOM parser refuses and On-Demand's get_double reads (both found by fuzzing).
bool ShortNumber(od::value& v) {
  std::string_view token = v.raw_json_token();
  if (token.size() <= 19) return true;  // the common case, one comparison (hot: every vector float)
  token = token.substr(0, token.find_first_of(" \t\r\n,]}"));
  if (token.find_first_of(".eE") == std::string_view::npos) {  // integers are exact within 64 bits
    const char* end = token.data() + token.size();
    uint64_t u = 0;
    int64_t i = 0;
    auto r = token[0] == '-' ? std::from_chars(token.data(), end, i)
                             : std::from_chars(token.data(), end, u);
    return r.ec == std::errc() && r.ptr == end;
  }
  return token.size() <= 19;
}

// Any JSON value into an engine Value, as ToValue does on the DOM; false = take the slow path.
bool ReadValue(od::value v, engine::Value& out, size_t depth, size_t max_depth) {
  if (depth + 2 > max_depth) return false;  // near the limit, the DOM parser decides
  od::json_type type;
  if (v.type().get(type)) return false;
  switch (type) {
    case od::json_type::object: {
      od::object obj;
      if (v.get_object().get(obj)) return false;
      engine::Value result{engine::Object{}};
      for (auto field : obj) {
        std::string_view key;
        if (field.unescaped_key().get(key)) return false;
        engine::Value child;
        od::value fv;
        if (field.value().get(fv) || !ReadValue(fv, child, depth + 1, max_depth)) return false;
        result.Set(std::string(key), std::move(child));  // last duplicate wins, as on the DOM
      }
      out = std::move(result);
      return true;
    }
    case od::json_type::array: {
      od::array arr;
      if (v.get_array().get(arr)) return false;
      engine::Array items;
      for (auto e : arr) {
        od::value ev;
        if (e.get(ev)) return false;
        items.emplace_back();
        if (!ReadValue(ev, items.back(), depth + 1, max_depth)) return false;
      }
      out = engine::Value(std::move(items));
      return true;
    }
    case od::json_type::number: {
      if (!ShortNumber(v)) return false;
      od::number n;
      if (v.get_number().get(n)) return false;
      switch (n.get_number_type()) {
        case od::number_type::signed_integer:
          out = engine::Value(n.get_int64());
          return true;
        case od::number_type::unsigned_integer:
          out = engine::Value(static_cast<double>(n.get_uint64()));
          return true;
        case od::number_type::floating_point_number:
          out = engine::Value(n.get_double());
          return true;
        default:
          return false;  // big integers: the DOM parser's error
      }
    }
    case od::json_type::string: {
      std::string_view s;
      if (v.get_string().get(s)) return false;
      out = engine::Value(std::string(s));
      return true;
    }
    case od::json_type::boolean: {
      bool b;
      if (v.get_bool().get(b)) return false;
      out = engine::Value(b);
      return true;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (v.is_null().get(is_null) || !is_null) return false;
      out = engine::Value();
      return true;
    }
  }
  return false;
}

bool ReadFloats(od::value v, std::vector<float>& out) {
  od::array arr;
  if (v.get_array().get(arr)) return false;
  out.clear();
  for (auto e : arr) {
    od::value ev;
    double d;
    if (e.get(ev) || !ShortNumber(ev)) return false;
    if (ev.get_double().get(d)) return false;  // integers parse as doubles too
    float f = static_cast<float>(d);
    if (!std::isfinite(f)) return false;
    out.push_back(f);
  }
  return true;
}

bool ReadVectors(od::value v, engine::NamedVectors& out) {
  od::json_type type;
  if (v.type().get(type)) return false;
  if (type == od::json_type::array) return ReadFloats(v, out[""]);
  if (type != od::json_type::object) return false;
  od::object obj;
  if (v.get_object().get(obj)) return false;
  for (auto field : obj) {
    std::string_view name;
    od::value fv;
    if (field.unescaped_key().get(name) || field.value().get(fv)) return false;
    std::string key(name);
    if (out.count(key)) return false;  // a duplicate name
    if (!ReadFloats(fv, out[key])) return false;
  }
  return true;
}

bool ReadId(od::value v, engine::PointId& out) {
  od::json_type type;
  if (v.type().get(type)) return false;
  if (type == od::json_type::number) {
    uint64_t u;
    if (v.get_uint64().get(u)) return false;
    out = engine::PointId::Num(u);
    return true;
  }
  std::string_view s;
  if (type != od::json_type::string || v.get_string().get(s)) return false;
  auto id = engine::PointId::ParseUuid(s);
  if (!id) return false;
  out = *id;
  return true;
}

bool ReadPoint(od::value v, engine::PointStruct& p, size_t max_depth) {
  od::object obj;
  if (v.get_object().get(obj)) return false;
  bool have_id = false, have_vector = false, have_payload = false;
  for (auto field : obj) {
    std::string_view key;
    od::value fv;
    if (field.unescaped_key().get(key) || field.value().get(fv)) return false;
    if (key == "id" && !have_id) {
      have_id = true;
      if (!ReadId(fv, p.id)) return false;
    } else if (key == "vector" && !have_vector) {
      have_vector = true;
      if (!ReadVectors(fv, p.vectors)) return false;
    } else if (key == "payload" && !have_payload) {
      have_payload = true;
      od::json_type type;
      if (fv.type().get(type)) return false;
      if (type == od::json_type::null) {
        bool is_null = false;
        if (fv.is_null().get(is_null) || !is_null) return false;
        continue;
      }
      if (type != od::json_type::object) return false;
      engine::Value payload;
      // The body is depth 1, points 2, a point 3, its payload 4.
      if (!ReadValue(fv, payload, 4, max_depth)) return false;
      p.payload = std::move(payload);
    } else {
      return false;  // "vectors", unknown fields, duplicates: the DOM path decides
    }
  }
  return have_id && have_vector;
}

}  // namespace

std::optional<engine::Operation> TryParseUpsertFast(std::string_view body) {
  thread_local od::parser parser;
  thread_local std::string buffer;  // reused: no fresh pages per request
  const auto& limits = Limits();
  if (limits.max_json_depth < 8) return std::nullopt;  // vectors sit at depth 5
  buffer.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  buffer.assign(body);
  od::document doc;
  if (parser.iterate(buffer.data(), body.size(), buffer.capacity()).get(doc)) return std::nullopt;
  od::object root;
  if (doc.get_object().get(root)) return std::nullopt;
  engine::UpsertOp op;
  bool have_points = false;
  for (auto field : root) {
    std::string_view key;
    od::value fv;
    if (field.unescaped_key().get(key) || field.value().get(fv)) return std::nullopt;
    if (key != "points" || have_points) return std::nullopt;
    have_points = true;
    od::array arr;
    if (fv.get_array().get(arr)) return std::nullopt;
    for (auto e : arr) {
      od::value ev;
      if (e.get(ev)) return std::nullopt;
      op.points.emplace_back();
      if (!ReadPoint(ev, op.points.back(), limits.max_json_depth)) return std::nullopt;
      if (op.points.size() > limits.max_batch_points) return std::nullopt;
    }
  }
  const char* trailing = nullptr;
  if (!have_points || !doc.current_location().get(trailing)) return std::nullopt;  // more after
  return engine::Operation(std::move(op));
}

}  // namespace quiver::wire
