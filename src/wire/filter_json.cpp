// Follows the serde model of Qdrant's Filter (lib/segment/src/types.rs): Filter denies unknown
// fields, the other structs ignore them; Condition, Match, ValueVariants, AnyVariants and
// RangeInterface are untagged enums, resolved here by their distinguishing keys.
#include "wire/filter_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "engine/filter/filter_matcher.h"
#include "engine/payload/payload_path.h"
#include "wire/limits.h"

namespace quiver::wire {

namespace {

using base::Result;
using base::Status;
using engine::Condition;
using engine::FieldCondition;
using engine::Filter;
using engine::GeoPoint;
using FieldCond = decltype(FieldCondition::cond);

std::string At(std::string_view path) {
  return path.empty() ? std::string() : " at `" + std::string(path) + "`";
}

Status NoVariant(std::string_view name, std::string_view path) {
  return Status::Format("data did not match any variant of untagged enum " + std::string(name) +
                        At(path));
}

std::string FormatDouble(double d) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(d);
}

std::optional<Json> Member(JsonObject o, std::string_view key) {
  Json e;
  if (o.at_key(key).get(e)) return std::nullopt;
  return e;
}

// A member that may be missing or null (both mean "absent").
std::optional<Json> Optional(JsonObject o, std::string_view key) {
  auto m = Member(o, key);
  if (!m || m->is_null()) return std::nullopt;
  return m;
}

Result<Json> Required(JsonObject o, std::string_view key, std::string_view path) {
  auto m = Member(o, key);
  if (!m) return MissingField(key, path);
  return *m;
}

// parse(member, path.name) of the required member `name`.
template <typename F>
auto RequiredWith(JsonObject o, std::string_view name, std::string_view path, F parse)
    -> decltype(parse(Json(), std::string_view())) {
  auto m = Required(o, name, path);
  if (!m.ok()) return m.status();
  return parse(m.value(), Sub(path, name));
}

// make(value) of a successful result, or its error.
template <typename T, typename F>
auto Then(Result<T> r, F make) -> Result<decltype(make(std::move(r).value()))> {
  if (!r.ok()) return r.status();
  return make(std::move(r).value());
}

Result<std::string> ParseKey(Json v, std::string_view path) {
  auto key = AsString(v, path);
  if (!key.ok()) return key.status();
  if (!engine::ParsePath(key.value()).ok()) {
    return Status::Format("Invalid json path: '" + key.value() + "'" + At(path));
  }
  return key;
}

Result<Filter> ParseFilterObject(Json v, std::string_view path);
Result<Condition> ParseCondition(Json v, std::string_view path);

// Strings or integers, deduplicated in first-seen order (Qdrant collects into an IndexSet).
Result<std::vector<engine::Value>> ParseAnyVariants(Json v, std::string_view path) {
  auto array = AsArray(v, path);
  if (!array.ok()) return array.status();
  std::vector<engine::Value> values;
  bool strings = false;
  bool ints = false;
  for (Json e : array.value()) {
    strings |= e.is_string();
    ints |= e.is_int64();
    if (!(e.is_string() || e.is_int64()) || (strings && ints))
      return NoVariant("AnyVariants", path);
    engine::Value value = ToValue(e);
    if (std::find(values.begin(), values.end(), value) == values.end()) {
      values.push_back(std::move(value));
    }
  }
  return values;
}

Result<FieldCond> ParseMatch(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  JsonObject o = obj.value();
  if (auto m = Member(o, "value")) {  // ValueVariants: string, i64 or bool
    if (!m->is_string() && !m->is_int64() && !m->is_bool()) {
      return NoVariant("ValueVariants", Sub(path, "value"));
    }
    return FieldCond(engine::MatchValue{ToValue(*m)});
  }
  using Kind = engine::MatchText::Kind;
  for (auto [name, kind] : {std::pair{"text", Kind::kText}, std::pair{"text_any", Kind::kTextAny},
                            std::pair{"phrase", Kind::kPhrase}}) {
    if (auto m = Member(o, name)) {
      Kind k = kind;  // clang 14 (the fuzz build) cannot capture a structured binding
      return Then(AsString(*m, Sub(path, name)), [k](std::string t) {
        return FieldCond(engine::MatchText{k, std::move(t)});
      });
    }
  }
  if (auto m = Member(o, "prefix")) {
    return Then(AsString(*m, Sub(path, "prefix")),
                [](std::string p) { return FieldCond(engine::MatchPrefix{std::move(p)}); });
  }
  using Values = std::vector<engine::Value>;
  if (auto m = Member(o, "any")) {
    return Then(ParseAnyVariants(*m, Sub(path, "any")),
                [](Values v) { return FieldCond(engine::MatchAny{std::move(v)}); });
  }
  if (auto m = Member(o, "except")) {
    return Then(ParseAnyVariants(*m, Sub(path, "except")),
                [](Values v) { return FieldCond(engine::MatchExcept{std::move(v)}); });
  }
  return NoVariant("Match", path);
}

// Numeric bounds give a numeric range, string bounds a datetime range (RangeInterface).
Result<FieldCond> ParseRange(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  engine::RangeCondition range;
  bool numbers = false;
  bool strings = false;
  for (auto [name, bound] : {std::pair{"lt", &range.lt}, std::pair{"gt", &range.gt},
                             std::pair{"gte", &range.gte}, std::pair{"lte", &range.lte}}) {
    auto m = Optional(obj.value(), name);
    if (!m) continue;
    if (m->is_number()) {
      numbers = true;
      *bound = AsDouble(*m, path).value();
    } else if (m->is_string()) {
      strings = true;
      std::string_view text = m->get_string().value_unsafe();
      auto micros = engine::ParseDatetimeMicros(text);
      if (!micros) {
        return Status::Format("'" + std::string(text) +
                              "' is not in a supported date/time format, please use RFC 3339" +
                              At(Sub(path, name)));
      }
      *bound = static_cast<double>(*micros);
    } else {
      return NoVariant("RangeInterface", path);
    }
  }
  if (numbers && strings) return NoVariant("RangeInterface", path);
  range.is_datetime = strings;
  return FieldCond(range);
}

Result<GeoPoint> ParseGeoPoint(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  GeoPoint point;
  for (auto [name, field] : {std::pair{"lon", &point.lon}, std::pair{"lat", &point.lat}}) {
    auto m = Required(obj.value(), name, path);
    if (!m.ok()) return m.status();
    auto d = AsDouble(m.value(), Sub(path, name));
    if (!d.ok()) return d.status();
    *field = d.value();
  }
  if (!(point.lon >= -180 && point.lon <= 180) || !(point.lat >= -90 && point.lat <= 90)) {
    return Status::Format(
        "Wrong format of GeoPoint payload: expected `lat` = " + FormatDouble(point.lat) +
        " within [-90;90] and `lon` = " + FormatDouble(point.lon) + " within [-180;180]" +
        At(path));
  }
  return point;
}

Result<FieldCond> ParseGeoBoundingBox(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  auto top_left = RequiredWith(obj.value(), "top_left", path, ParseGeoPoint);
  if (!top_left.ok()) return top_left.status();
  auto bottom_right = RequiredWith(obj.value(), "bottom_right", path, ParseGeoPoint);
  if (!bottom_right.ok()) return bottom_right.status();
  return FieldCond(engine::GeoBoundingBox{top_left.value(), bottom_right.value()});
}

Result<FieldCond> ParseGeoRadius(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  auto center = RequiredWith(obj.value(), "center", path, ParseGeoPoint);
  if (!center.ok()) return center.status();
  auto radius = RequiredWith(obj.value(), "radius", path, AsDouble);
  if (!radius.ok()) return radius.status();
  // Qdrant does not validate the radius: a negative one simply matches nothing.
  return FieldCond(engine::GeoRadius{center.value(), radius.value()});
}

// GeoLineString {points}, checked as GeoPolygon::validate_line_string does.
Result<std::vector<GeoPoint>> ParseRing(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  auto array = RequiredWith(obj.value(), "points", path, AsArray);
  if (!array.ok()) return array.status();
  std::vector<GeoPoint> ring;
  for (Json e : array.value()) {
    auto point = ParseGeoPoint(e, Sub(Sub(path, "points"), ring.size()));
    if (!point.ok()) return point.status();
    ring.push_back(point.value());
  }
  if (ring.size() <= 3) {
    return Status::Format("polygon invalid, the size must be at least 4, got " +
                          std::to_string(ring.size()) + At(path));
  }
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  if (std::abs(ring.front().lat - ring.back().lat) > kEps ||
      std::abs(ring.front().lon - ring.back().lon) > kEps) {
    return Status::Format(
        "polygon invalid, the first and the last points should be the same to form a closed "
        "line" +
        At(path));
  }
  return ring;
}

Result<FieldCond> ParseGeoPolygon(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  engine::GeoPolygon polygon;
  auto exterior = RequiredWith(obj.value(), "exterior", path, ParseRing);
  if (!exterior.ok()) return exterior.status();
  polygon.exterior = std::move(exterior).value();
  if (auto interiors = Optional(obj.value(), "interiors")) {
    std::string interiors_path = Sub(path, "interiors");
    auto array = AsArray(*interiors, interiors_path);
    if (!array.ok()) return array.status();
    for (Json e : array.value()) {
      auto ring = ParseRing(e, Sub(interiors_path, polygon.interiors.size()));
      if (!ring.ok()) return ring.status();
      polygon.interiors.push_back(std::move(ring).value());
    }
  }
  return FieldCond(std::move(polygon));
}

Result<FieldCond> ParseValuesCount(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  engine::ValuesCount count;
  for (auto [name, bound] : {std::pair{"lt", &count.lt}, std::pair{"gt", &count.gt},
                             std::pair{"gte", &count.gte}, std::pair{"lte", &count.lte}}) {
    auto m = Optional(obj.value(), name);
    if (!m) continue;
    auto n = AsUint(*m, Sub(path, name));
    if (!n.ok()) return n.status();
    *bound = n.value();
  }
  return FieldCond(count);
}

// FieldCondition. Qdrant ORs the match / range / geo parts of one condition per value, lets
// values_count override them, then is_empty, then is_null: the engine condition holds one part,
// so several OR-ed parts become a nested `should`.
Result<Condition> ParseFieldCondition(JsonObject o, std::string_view path) {
  auto key = RequiredWith(o, "key", path, ParseKey);
  if (!key.ok()) return key.status();
  FieldCondition fc;
  fc.key = key.value();
  for (auto [name, flag] :
       {std::pair{"is_empty", &fc.is_empty}, std::pair{"is_null", &fc.is_null}}) {
    auto m = Optional(o, name);
    if (!m) continue;
    auto b = AsBool(*m, Sub(path, name));
    if (!b.ok()) return b.status();
    *flag = b.value();
  }
  using Parser = Result<FieldCond> (*)(Json, std::string_view);
  static constexpr std::pair<const char*, Parser> kParts[] = {
      {"match", ParseMatch},
      {"range", ParseRange},
      {"geo_bounding_box", ParseGeoBoundingBox},
      {"geo_radius", ParseGeoRadius},
      {"geo_polygon", ParseGeoPolygon},
      {"values_count", ParseValuesCount}};
  std::vector<FieldCond> parts;
  for (const auto& [name, parser] : kParts) {
    auto m = Optional(o, name);
    if (!m) continue;
    auto part = parser(*m, Sub(path, name));
    if (!part.ok()) return part.status();
    parts.push_back(std::move(part).value());
  }
  auto count = std::find_if(parts.begin(), parts.end(), [](const FieldCond& part) {
    return std::holds_alternative<engine::ValuesCount>(part);
  });
  if (count != parts.end()) fc.cond = *count;
  if (count != parts.end() || fc.is_empty || fc.is_null) return Condition{std::move(fc)};
  if (parts.empty()) {
    return Status::Validation(std::string(path) +
                              ": At least one field condition must be specified");
  }
  if (parts.size() == 1) {
    fc.cond = std::move(parts.front());
    return Condition{std::move(fc)};
  }
  auto any_of = std::make_shared<Filter>();
  for (FieldCond& part : parts) {
    any_of->should.push_back(Condition{FieldCondition{fc.key, std::move(part), {}, {}}});
  }
  return Condition{std::move(any_of)};
}

// {"is_empty": {"key": ...}} / {"is_null": {"key": ...}}
Result<std::string> ParsePayloadField(Json v, std::string_view path) {
  if (!v.is_object()) return TypeError(v, "struct PayloadField", path);
  return RequiredWith(v.get_object().value_unsafe(), "key", path, ParseKey);
}

Result<Condition> ParseHasId(Json v, std::string_view path) {
  auto array = AsArray(v, path);
  if (!array.ok()) return array.status();
  engine::HasIdCondition has_id;
  for (Json e : array.value()) {
    auto id = AsPointId(e, Sub(path, has_id.ids.size()));
    if (!id.ok()) return id.status();
    has_id.ids.push_back(id.value());
  }
  std::sort(has_id.ids.begin(), has_id.ids.end());
  has_id.ids.erase(std::unique(has_id.ids.begin(), has_id.ids.end()), has_id.ids.end());
  return Condition{std::move(has_id)};
}

Result<uint64_t> AsU32(Json v, std::string_view path) {
  auto n = AsUint(v, path);
  if (n.ok() && n.value() > std::numeric_limits<uint32_t>::max()) return TypeError(v, "u32", path);
  return n;
}

Result<Condition> ParseSlice(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  auto total = RequiredWith(obj.value(), "total", path, AsU32);
  if (!total.ok()) return total.status();
  auto index = RequiredWith(obj.value(), "index", path, AsU32);
  if (!index.ok()) return index.status();
  if (total.value() == 0) {  // NonZeroU32 in Qdrant: refused by deserialization (400), not 422
    return Status::Format("invalid value: integer `0`, expected a nonzero u32" +
                          At(Sub(path, "total")));
  }
  if (index.value() >= total.value()) {
    return Status::Validation(Sub(path, "index") + ": value " + std::to_string(index.value()) +
                              " invalid, must be less than total (" +
                              std::to_string(total.value()) + ")");
  }
  return Condition{engine::SliceCondition{total.value(), index.value()}};
}

Result<Condition> ParseNested(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  auto key = RequiredWith(obj.value(), "key", path, ParseKey);
  if (!key.ok()) return key.status();
  auto filter = RequiredWith(obj.value(), "filter", path, ParseFilterObject);
  if (!filter.ok()) return filter.status();
  return Condition{engine::NestedCondition{std::move(key).value(),
                                           std::make_shared<Filter>(std::move(filter).value())}};
}

bool IsFilterKey(std::string_view key) {
  return key == "must" || key == "should" || key == "must_not" || key == "min_should";
}

Result<Condition> ParseCondition(Json v, std::string_view path) {
  if (!v.is_object()) return TypeError(v, "a condition", path);
  JsonObject o = v.get_object().value_unsafe();
  if (Member(o, "key")) return ParseFieldCondition(o, path);
  if (auto m = Member(o, "is_empty")) {
    return Then(ParsePayloadField(*m, Sub(path, "is_empty")), [](std::string key) {
      return Condition{engine::IsEmptyCondition{std::move(key)}};
    });
  }
  if (auto m = Member(o, "is_null")) {
    return Then(ParsePayloadField(*m, Sub(path, "is_null")),
                [](std::string key) { return Condition{engine::IsNullCondition{std::move(key)}}; });
  }
  if (auto m = Member(o, "has_id")) return ParseHasId(*m, Sub(path, "has_id"));
  if (auto m = Member(o, "has_vector")) {
    return Then(AsString(*m, Sub(path, "has_vector")), [](std::string name) {
      return Condition{engine::HasVectorCondition{std::move(name)}};
    });
  }
  if (auto m = Member(o, "slice")) return ParseSlice(*m, Sub(path, "slice"));
  if (auto m = Member(o, "nested")) return ParseNested(*m, Sub(path, "nested"));
  for (auto field : o) {
    if (!IsFilterKey(field.key)) {
      return Status::Format(
          "Expected some form of condition, which can be a field condition (like {\"key\": ..., "
          "\"match\": ... }), or some other mentioned in the documentation: "
          "https://qdrant.tech/documentation/concepts/filtering/#filtering-conditions" +
          At(path));
    }
  }
  return Then(ParseFilterObject(v, path),
              [](Filter f) { return Condition{std::make_shared<Filter>(std::move(f))}; });
}

// One condition or an array of them; null (absent) gives nothing.
Status ParseClause(Json v, std::string_view path, std::vector<Condition>& out) {
  if (v.is_null()) return Status::Ok();
  if (!v.is_array()) {
    auto c = ParseCondition(v, path);
    if (c.ok()) out.push_back(std::move(c).value());
    return c.status();
  }
  JsonArray array = v.get_array().value_unsafe();
  for (Json e : array) {
    auto c = ParseCondition(e, Sub(path, out.size()));
    if (!c.ok()) return c.status();
    out.push_back(std::move(c).value());
  }
  return Status::Ok();
}

Status ParseMinShould(Json v, std::string_view path, Filter& filter) {
  if (v.is_null()) return Status::Ok();
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  engine::MinShould min_should;
  auto array = RequiredWith(obj.value(), "conditions", path, AsArray);
  if (!array.ok()) return array.status();
  for (Json e : array.value()) {
    auto c = ParseCondition(e, Sub(Sub(path, "conditions"), min_should.conditions.size()));
    if (!c.ok()) return c.status();
    min_should.conditions.push_back(std::move(c).value());
  }
  auto count = RequiredWith(obj.value(), "min_count", path, AsUint);
  if (!count.ok()) return count.status();
  if (count.value() == 0) {
    return Status::Validation(Sub(path, "min_count") + ": value 0 invalid, must be 1 or larger");
  }
  min_should.min_count = count.value();
  filter.min_should = std::move(min_should);
  return Status::Ok();
}

// Nesting of filters being parsed on this thread (service.max_filter_depth).
thread_local size_t g_filter_depth = 0;

struct FilterDepthGuard {
  FilterDepthGuard() { ++g_filter_depth; }
  ~FilterDepthGuard() { --g_filter_depth; }
};

Result<Filter> ParseFilterObject(Json v, std::string_view path) {
  if (!v.is_object()) return TypeError(v, "struct Filter", path);
  FilterDepthGuard depth;
  if (g_filter_depth > Limits().max_filter_depth) {
    return Status::Validation(std::string(path) + ": filters are nested deeper than the limit of " +
                              std::to_string(Limits().max_filter_depth) +
                              " levels (service.max_filter_depth)");
  }
  Filter filter;
  bool empty_should = false;
  Status st = ForEachField(v.get_object().value_unsafe(), [&](std::string_view key, Json value) {
    std::string sub = Sub(path, key);
    if (key == "must") return ParseClause(value, sub, filter.must);
    if (key == "must_not") return ParseClause(value, sub, filter.must_not);
    if (key == "min_should") return ParseMinShould(value, sub, filter);
    if (key == "should") {
      empty_should = value.is_array() && value.get_array().value_unsafe().size() == 0;
      return ParseClause(value, sub, filter.should);
    }
    return Status::Format("unknown field `" + std::string(key) +
                          "`, expected one of `should`, `min_should`, `must`, `must_not`" +
                          At(path));
  });
  if (!st.ok()) return st;
  if (empty_should) {
    // Qdrant: `should: []` is Some(vec![]), and `any` over nothing is false. An empty filter
    // matches every point, so must_not [empty filter] matches none.
    auto never = std::make_shared<Filter>();
    never->must_not.push_back(Condition{std::make_shared<Filter>()});
    filter.should.push_back(Condition{std::move(never)});
  }
  return filter;
}

}  // namespace

Result<Filter> ParseFilter(Json v, std::string_view path) { return ParseFilterObject(v, path); }

}  // namespace quiver::wire
