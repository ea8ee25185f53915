// The filter tree (Qdrant's Filter / Condition), as plain engine types. Parsed by wire/, evaluated
// by FilterMatcher (filter_matcher.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/types/point_id.h"
#include "engine/types/value.h"

namespace quiver::engine {

struct Filter;

// match: {"value": v} — v is a string, an integer or a bool.
struct MatchValue {
  Value value;
};
// match: {"any": [...]} (IN) and {"except": [...]} (NOT IN); strings or integers.
struct MatchAny {
  std::vector<Value> values;
};
struct MatchExcept {
  std::vector<Value> values;
};
// Full-text: text = all tokens, text_any = any token, phrase = tokens adjacent in order.
struct MatchText {
  enum class Kind { kText, kTextAny, kPhrase };
  Kind kind = Kind::kText;
  std::string text;
};
// Byte-wise, case-sensitive prefix of a keyword.
struct MatchPrefix {
  std::string prefix;
};

// Numeric range, or datetime range (bounds converted to microseconds since the epoch, UTC;
// payload strings are parsed as datetimes when is_datetime).
struct RangeCondition {
  std::optional<double> lt, gt, gte, lte;
  bool is_datetime = false;
};

struct GeoPoint {
  double lon = 0;
  double lat = 0;
};
struct GeoBoundingBox {
  GeoPoint top_left, bottom_right;
};
struct GeoRadius {
  GeoPoint center;
  double radius_m = 0;
};
struct GeoPolygon {
  std::vector<GeoPoint> exterior;
  std::vector<std::vector<GeoPoint>> interiors;
};

struct ValuesCount {
  std::optional<uint64_t> lt, gt, gte, lte;
};

// A condition on one payload key. Exactly one of the alternatives is set; `is_empty` / `is_null`
// are the boolean shorthands of FieldCondition.
struct FieldCondition {
  std::string key;
  std::variant<std::monostate, MatchValue, MatchAny, MatchExcept, MatchText, MatchPrefix,
               RangeCondition, GeoBoundingBox, GeoRadius, GeoPolygon, ValuesCount>
      cond;
  std::optional<bool> is_empty;
  std::optional<bool> is_null;
};

struct IsEmptyCondition {
  std::string key;
};
struct IsNullCondition {
  std::string key;
};
struct HasIdCondition {
  std::vector<PointId> ids;  // sorted, unique
};
struct HasVectorCondition {
  std::string vector_name;  // "" = the default (unnamed) vector
};
// Applies `filter` to each element of the array of objects at `key`; true when any element matches.
struct NestedCondition {
  std::string key;
  std::shared_ptr<Filter> filter;
};
// SipHash-2-4 of the id bytes modulo total == index.
struct SliceCondition {
  uint64_t total = 1;
  uint64_t index = 0;
};

struct Condition {
  std::variant<FieldCondition, IsEmptyCondition, IsNullCondition, HasIdCondition,
               HasVectorCondition, NestedCondition, SliceCondition, std::shared_ptr<Filter>>
      c;
};

struct MinShould {
  std::vector<Condition> conditions;
  uint64_t min_count = 0;
};

struct Filter {
  std::vector<Condition> must;
  std::vector<Condition> should;
  std::vector<Condition> must_not;
  std::optional<MinShould> min_should;
};

}  // namespace quiver::engine
