// Follows Qdrant's unindexed condition checks: lib/segment/src/payload_storage/query_checker.rs
// (check_filter, check_field_condition, nested) and condition_checker.rs (ValueChecker).
#include "engine/filter/filter_matcher.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <string>
#include <unordered_map>

#include "engine/payload/payload_path.h"

namespace quiver::engine {

namespace {

// The point being checked. Inside a nested condition `point` is null: there the payload is one
// array element, and has_id / has_vector / slice never match (as in Qdrant).
struct Context {
  const Value* payload;
  const PointView* point;
  const TextIndexes* text = nullptr;  // full-text indexes by key (top level only)
};

bool CheckFilter(const Filter& filter, const Context& ctx);

// ---- payload access ---------------------------------------------------------------------------

bool IsSimpleKey(std::string_view key) {
  return !key.empty() && key.find_first_of(".[\"") == std::string_view::npos;
}

// Parsed paths of non-trivial keys, cached per thread (filters are parsed and validated by wire/,
// so a malformed key here only ever yields no values).
const std::vector<PathStep>* CachedPath(const std::string& key) {
  thread_local std::unordered_map<std::string, std::vector<PathStep>> cache;
  auto it = cache.find(key);
  if (it != cache.end()) return &it->second;
  auto parsed = ParsePath(key);
  if (!parsed.ok()) return nullptr;
  if (cache.size() > 4096) cache.clear();
  return &cache.emplace(key, std::move(parsed).value()).first->second;
}

// Calls f(const Value&) for each value at the path (Qdrant's JsonPath::value_get, leaf arrays kept)
// until f returns false. Returns false when stopped early.
template <typename F>
bool ForEachAt(const Value& value, const PathStep* step, const PathStep* end, F& f) {
  const Value* current = &value;
  for (; step != end; ++step) {
    switch (step->kind) {
      case PathStep::Kind::kKey:
        current = current->Find(step->key);
        if (current == nullptr) return true;
        break;
      case PathStep::Kind::kIndex:
        if (!current->is_array() || step->index >= current->as_array().size()) return true;
        current = &current->as_array()[step->index];
        break;
      case PathStep::Kind::kAllElements:
        if (!current->is_array()) return true;
        for (const Value& element : current->as_array()) {
          if (!ForEachAt(element, step + 1, end, f)) return false;
        }
        return true;
    }
  }
  return f(*current);
}

template <typename F>
void ForEachValue(const Value& payload, const std::string& key, F&& f) {
  if (IsSimpleKey(key)) {
    if (const Value* v = payload.Find(key)) f(*v);
    return;
  }
  const std::vector<PathStep>* path = CachedPath(key);
  if (path == nullptr || path->empty()) return;
  ForEachAt(payload, path->data(), path->data() + path->size(), f);
}

// ---- value checks (condition_checker.rs) -------------------------------------------------------

bool ContainsString(const std::vector<Value>& list, const std::string& s) {
  return std::any_of(list.begin(), list.end(),
                     [&](const Value& v) { return v.is_string() && v.as_string() == s; });
}

bool ContainsInt(const std::vector<Value>& list, int64_t i) {
  return std::any_of(list.begin(), list.end(),
                     [&](const Value& v) { return v.is_int() && v.as_int() == i; });
}

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool AnyTokenContained(const std::string& stored, std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    if (i > start && stored.find(text.substr(start, i - start)) != std::string::npos) return true;
  }
  return false;
}

bool InRange(const RangeCondition& r, double x) {
  return (!r.lt || x < *r.lt) && (!r.gt || x > *r.gt) && (!r.lte || x <= *r.lte) &&
         (!r.gte || x >= *r.gte);
}

bool CountInRange(const ValuesCount& c, uint64_t n) {
  return (!c.lt || n < *c.lt) && (!c.gt || n > *c.gt) && (!c.lte || n <= *c.lte) &&
         (!c.gte || n >= *c.gte);
}

uint64_t ValueCount(const Value& v) {
  if (v.is_null()) return 0;
  if (v.is_array()) return v.as_array().size();
  return 1;
}

std::optional<GeoPoint> AsGeoPoint(const Value& v) {
  const Value* lon = v.Find("lon");
  const Value* lat = v.Find("lat");
  if (lon == nullptr || lat == nullptr || !lon->is_number() || !lat->is_number()) {
    return std::nullopt;
  }
  return GeoPoint{lon->as_double(), lat->as_double()};
}

bool InBox(const GeoBoundingBox& box, const GeoPoint& p) {
  const bool lon_ok = box.top_left.lon > box.bottom_right.lon
                          ? (p.lon > box.top_left.lon || p.lon < box.bottom_right.lon)
                          : (box.top_left.lon < p.lon && p.lon < box.bottom_right.lon);
  return lon_ok && box.bottom_right.lat < p.lat && p.lat < box.top_left.lat;
}

// Haversine distance in meters, with the mean Earth radius of the `geo` crate.
double HaversineMeters(const GeoPoint& a, const GeoPoint& b) {
  constexpr double kEarthRadiusM = 6371008.8;
  constexpr double kRad = std::numbers::pi / 180.0;
  const double dlat = (b.lat - a.lat) * kRad;
  const double dlon = (b.lon - a.lon) * kRad;
  const double h =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(a.lat * kRad) * std::cos(b.lat * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2.0 * kEarthRadiusM * std::asin(std::sqrt(std::min(1.0, h)));
}

// 1 inside, 0 on the ring, -1 outside (planar, lon = x, lat = y).
int RingPosition(const std::vector<GeoPoint>& ring, const GeoPoint& p) {
  if (ring.empty()) return -1;
  bool inside = false;
  for (size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    const GeoPoint& a = ring[j];
    const GeoPoint& b = ring[i];
    const double cross = (b.lon - a.lon) * (p.lat - a.lat) - (b.lat - a.lat) * (p.lon - a.lon);
    if (cross == 0 && std::min(a.lon, b.lon) <= p.lon && p.lon <= std::max(a.lon, b.lon) &&
        std::min(a.lat, b.lat) <= p.lat && p.lat <= std::max(a.lat, b.lat)) {
      return 0;
    }
    if ((a.lat > p.lat) != (b.lat > p.lat)) {
      const double x = a.lon + (p.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat);
      if (p.lon < x) inside = !inside;
    }
  }
  return inside ? 1 : -1;
}

// Strict containment, as geo's Polygon::contains: points on any ring are outside.
bool InPolygon(const GeoPolygon& polygon, const GeoPoint& p) {
  if (RingPosition(polygon.exterior, p) != 1) return false;
  return std::none_of(polygon.interiors.begin(), polygon.interiors.end(),
                      [&](const auto& hole) { return RingPosition(hole, p) >= 0; });
}

template <typename Pred>
bool GeoCheck(const Value& v, Pred pred) {
  auto p = AsGeoPoint(v);
  return p && pred(*p);
}

// ValueChecker::check_match: one (already array-flattened) payload value.
struct MatchOne {
  const Value& v;

  bool operator()(std::monostate) const { return false; }
  bool operator()(const MatchValue& m) const {
    const Value& want = m.value;
    if (v.is_string() && want.is_string()) return v.as_string() == want.as_string();
    if (v.is_int() && want.is_int()) return v.as_int() == want.as_int();
    if (v.is_bool() && want.is_bool()) return v.as_bool() == want.as_bool();
    return false;
  }
  bool operator()(const MatchAny& m) const {
    if (v.is_string()) return ContainsString(m.values, v.as_string());
    if (v.is_int()) return ContainsInt(m.values, v.as_int());
    return false;
  }
  bool operator()(const MatchExcept& m) const {
    // Qdrant: a value of another type than the list (bool, float, object, nested array) matches;
    // null does not.
    if (v.is_null()) return false;
    if (v.is_string()) return !ContainsString(m.values, v.as_string());
    if (v.is_int()) return !ContainsInt(m.values, v.as_int());
    return true;
  }
  bool operator()(const MatchText& m) const {
    if (!v.is_string()) return false;
    // Without a full-text index Qdrant checks substrings: the whole text for text / phrase, any
    // whitespace-separated token for text_any.
    if (m.kind == MatchText::Kind::kTextAny) return AnyTokenContained(v.as_string(), m.text);
    return v.as_string().find(m.text) != std::string::npos;
  }
  bool operator()(const MatchPrefix& m) const {
    return v.is_string() && v.as_string().starts_with(m.prefix);
  }
  bool operator()(const RangeCondition& r) const {
    if (r.is_datetime) {
      if (!v.is_string()) return false;
      auto micros = ParseDatetimeMicros(v.as_string());
      return micros && InRange(r, static_cast<double>(*micros));
    }
    return v.is_number() && InRange(r, v.as_double());
  }
  bool operator()(const GeoBoundingBox& box) const {
    return GeoCheck(v, [&](const GeoPoint& p) { return InBox(box, p); });
  }
  bool operator()(const GeoRadius& r) const {
    return GeoCheck(v,
                    [&](const GeoPoint& p) { return HaversineMeters(r.center, p) < r.radius_m; });
  }
  bool operator()(const GeoPolygon& polygon) const {
    return GeoCheck(v, [&](const GeoPoint& p) { return InPolygon(polygon, p); });
  }
  bool operator()(const ValuesCount& c) const { return CountInRange(c, ValueCount(v)); }
};

bool CheckIsEmptyValue(bool is_empty, const Value& v) {
  if (v.is_null()) return is_empty;
  if (v.is_array()) return v.as_array().empty() == is_empty;
  return !is_empty;
}

bool CheckIsNullValue(bool is_null, const Value& v) {
  if (v.is_null()) return is_null;
  if (v.is_array()) {
    const auto& a = v.as_array();
    return std::any_of(a.begin(), a.end(), [](const Value& e) { return e.is_null(); }) == is_null;
  }
  return !is_null;
}

// FieldCondition::check for one value returned by the path.
bool CheckFieldValue(const FieldCondition& fc, const Value& v) {
  if (const auto* count = std::get_if<ValuesCount>(&fc.cond)) {
    return CountInRange(*count, ValueCount(v));
  }
  if (fc.is_empty) return CheckIsEmptyValue(*fc.is_empty, v);
  if (fc.is_null) return CheckIsNullValue(*fc.is_null, v);
  if (v.is_array()) {
    const auto& a = v.as_array();
    return std::any_of(a.begin(), a.end(),
                       [&](const Value& e) { return std::visit(MatchOne{e}, fc.cond); });
  }
  return std::visit(MatchOne{v}, fc.cond);
}

// A text condition on a field with a full-text index: every string value of the key is one
// document's text; text = all query tokens among the document's, text_any = any of them, phrase =
// the query tokens adjacent and in order. A query without tokens matches nothing.
bool CheckIndexedText(const MatchText& m, const TextIndexParams& params, const std::string& key,
                      const Value& payload) {
  const std::vector<std::string> query = TokenizeQuery(params, m.text);
  if (query.empty()) return false;
  std::vector<std::string> doc;
  ForEachValue(payload, key, [&](const Value& v) {
    auto add = [&](const Value& s) {
      if (!s.is_string()) return;
      for (auto& t : TokenizeDocument(params, s.as_string())) doc.push_back(std::move(t));
    };
    if (v.is_array()) {
      for (const Value& e : v.as_array()) add(e);
    } else {
      add(v);
    }
    return true;
  });
  if (doc.empty()) return false;
  auto has = [&](const std::string& t) {
    return std::find(doc.begin(), doc.end(), t) != doc.end();
  };
  switch (m.kind) {
    case MatchText::Kind::kText:
      return std::all_of(query.begin(), query.end(), has);
    case MatchText::Kind::kTextAny:
      return std::any_of(query.begin(), query.end(), has);
    case MatchText::Kind::kPhrase:
      return std::search(doc.begin(), doc.end(), query.begin(), query.end()) != doc.end();
  }
  return false;
}

bool CheckField(const FieldCondition& fc, const Value& payload, const TextIndexes* text) {
  if (text) {
    if (const auto* m = std::get_if<MatchText>(&fc.cond)) {
      auto idx = text->find(fc.key);
      if (idx != text->end()) return CheckIndexedText(*m, *idx->second, fc.key, payload);
    }
  }
  bool any_value = false;
  bool matched = false;
  ForEachValue(payload, fc.key, [&](const Value& v) {
    any_value = true;
    matched = CheckFieldValue(fc, v);
    return !matched;
  });
  if (any_value) return matched;
  // FieldCondition::check_empty: only the is_empty / is_null shorthands match a missing key.
  if (fc.is_empty) return *fc.is_empty;
  if (fc.is_null) return !*fc.is_null;
  return false;
}

// ---- slice -------------------------------------------------------------------------------------

uint64_t Rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

uint64_t SipHash24(uint64_t k0, uint64_t k1, const uint8_t* data, size_t len) {
  uint64_t v0 = k0 ^ 0x736f6d6570736575ull;
  uint64_t v1 = k1 ^ 0x646f72616e646f6dull;
  uint64_t v2 = k0 ^ 0x6c7967656e657261ull;
  uint64_t v3 = k1 ^ 0x7465646279746573ull;
  auto round = [&] {
    v0 += v1, v1 = Rotl(v1, 13), v1 ^= v0, v0 = Rotl(v0, 32);
    v2 += v3, v3 = Rotl(v3, 16), v3 ^= v2;
    v0 += v3, v3 = Rotl(v3, 21), v3 ^= v0;
    v2 += v1, v1 = Rotl(v1, 17), v1 ^= v2, v2 = Rotl(v2, 32);
  };
  auto load_le = [](const uint8_t* p, size_t n) {
    uint64_t m = 0;
    for (size_t i = 0; i < n; ++i) m |= static_cast<uint64_t>(p[i]) << (8 * i);
    return m;
  };
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    const uint64_t m = load_le(data + i, 8);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  const uint64_t b = (static_cast<uint64_t>(len) << 56) | load_le(data + i, len - i);
  v3 ^= b;
  round();
  round();
  v0 ^= b;
  v2 ^= 0xff;
  for (int r = 0; r < 4; ++r) round();
  return v0 ^ v1 ^ v2 ^ v3;
}

// Canonical id bytes (OpenAPI `Slice`): 8 little-endian bytes of a number, the 16 RFC 4122 bytes
// of a UUID; hashed with SipHash-2-4 under a zero key.
bool InSlice(const SliceCondition& s, const PointId& id) {
  uint8_t bytes[16];
  size_t n = 0;
  if (id.is_uuid) {
    for (int i = 0; i < 8; ++i) bytes[n++] = static_cast<uint8_t>(id.hi >> (56 - 8 * i));
    for (int i = 0; i < 8; ++i) bytes[n++] = static_cast<uint8_t>(id.lo >> (56 - 8 * i));
  } else {
    for (int i = 0; i < 8; ++i) bytes[n++] = static_cast<uint8_t>(id.lo >> (8 * i));
  }
  if (s.total == 0) return false;
  return SipHash24(0, 0, bytes, n) % s.total == s.index;
}

// ---- conditions --------------------------------------------------------------------------------

bool CheckNested(const NestedCondition& nested, const Context& ctx) {
  if (!nested.filter) return false;
  auto parsed = ParsePath(nested.key);
  if (!parsed.ok()) return false;
  std::vector<PathStep> path = std::move(parsed).value();
  // Qdrant's NestedCondition::array_key: "key" means "key[]".
  if (path.back().kind != PathStep::Kind::kAllElements) {
    path.push_back(PathStep{PathStep::Kind::kAllElements, {}, 0});
  }
  bool matched = false;
  auto visit = [&](const Value& element) {
    if (element.is_object()) matched = CheckFilter(*nested.filter, Context{&element, nullptr});
    return !matched;
  };
  ForEachAt(*ctx.payload, path.data(), path.data() + path.size(), visit);
  return matched;
}

struct ConditionChecker {
  const Context& ctx;

  bool operator()(const FieldCondition& fc) const { return CheckField(fc, *ctx.payload, ctx.text); }
  bool operator()(const IsEmptyCondition& c) const {
    bool all_empty = true;
    ForEachValue(*ctx.payload, c.key, [&](const Value& v) {
      all_empty = v.is_null() || (v.is_array() && v.as_array().empty());
      return all_empty;
    });
    return all_empty;
  }
  bool operator()(const IsNullCondition& c) const {
    bool any_null = false;
    ForEachValue(*ctx.payload, c.key, [&](const Value& v) {
      any_null = v.is_null();
      return !any_null;
    });
    return any_null;
  }
  bool operator()(const HasIdCondition& c) const {
    return ctx.point != nullptr && std::binary_search(c.ids.begin(), c.ids.end(), ctx.point->id());
  }
  bool operator()(const HasVectorCondition& c) const {
    return ctx.point != nullptr && ctx.point->HasVector(c.vector_name);
  }
  bool operator()(const NestedCondition& c) const { return CheckNested(c, ctx); }
  bool operator()(const SliceCondition& c) const {
    return ctx.point != nullptr && InSlice(c, ctx.point->id());
  }
  bool operator()(const std::shared_ptr<Filter>& f) const { return !f || CheckFilter(*f, ctx); }
};

bool CheckCondition(const Condition& condition, const Context& ctx) {
  return std::visit(ConditionChecker{ctx}, condition.c);
}

bool CheckFilter(const Filter& filter, const Context& ctx) {
  auto holds = [&](const Condition& c) { return CheckCondition(c, ctx); };
  if (!filter.should.empty() && std::none_of(filter.should.begin(), filter.should.end(), holds)) {
    return false;
  }
  if (filter.min_should) {
    uint64_t count = 0;
    for (const Condition& c : filter.min_should->conditions) {
      if (count >= filter.min_should->min_count) break;
      if (holds(c)) ++count;
    }
    if (count < filter.min_should->min_count) return false;
  }
  if (!std::all_of(filter.must.begin(), filter.must.end(), holds)) return false;
  return std::none_of(filter.must_not.begin(), filter.must_not.end(), holds);
}

}  // namespace

bool MatchesFilter(const Filter& filter, const PointView& point, const TextIndexes* text_indexes) {
  return CheckFilter(filter, Context{&point.payload(), &point, text_indexes});
}

}  // namespace quiver::engine
