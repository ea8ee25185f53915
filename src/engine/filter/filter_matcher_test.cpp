#include "engine/filter/filter_matcher.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <vector>

namespace quiver::engine {
namespace {

// A minimal JSON reader for test payloads (no escapes beyond \" and \\).
class MiniJson {
 public:
  static Value Parse(std::string_view s) {
    MiniJson p{s};
    Value v = p.Read();
    p.Ws();
    EXPECT_EQ(p.pos_, s.size()) << "trailing input in " << s;
    return v;
  }

 private:
  explicit MiniJson(std::string_view s) : s_(s) {}
  void Ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  std::string Str() {
    std::string out;
    ++pos_;  // opening quote
    while (s_[pos_] != '"') {
      if (s_[pos_] == '\\') ++pos_;
      out += s_[pos_++];
    }
    ++pos_;
    return out;
  }
  Value Read() {
    Ws();
    char c = s_[pos_];
    if (c == '{') {
      Value obj{Object{}};
      ++pos_;
      for (Ws(); s_[pos_] != '}'; Ws()) {
        if (s_[pos_] == ',') ++pos_, Ws();
        std::string key = Str();
        Ws();
        ++pos_;  // ':'
        obj.Set(key, Read());
      }
      ++pos_;
      return obj;
    }
    if (c == '[') {
      Array a;
      ++pos_;
      for (Ws(); s_[pos_] != ']'; Ws()) {
        if (s_[pos_] == ',') ++pos_;
        a.push_back(Read());
      }
      ++pos_;
      return Value(std::move(a));
    }
    if (c == '"') return Value(Str());
    for (auto [word, value] : {std::pair{"true", Value(true)}, std::pair{"false", Value(false)},
                               std::pair{"null", Value()}}) {
      if (s_.substr(pos_).starts_with(word)) {
        pos_ += std::string_view(word).size();
        return value;
      }
    }
    size_t end = pos_;
    while (end < s_.size() && std::string_view("+-.eE0123456789").find(s_[end]) != s_.npos) ++end;
    std::string num(s_.substr(pos_, end - pos_));
    pos_ = end;
    if (num.find_first_of(".eE") != std::string::npos) return Value(std::stod(num));
    return Value(static_cast<int64_t>(std::stoll(num)));
  }

  std::string_view s_;
  size_t pos_ = 0;
};

Value J(std::string_view s) { return MiniJson::Parse(s); }

class TestPoint : public PointView {
 public:
  TestPoint(PointId id, Value payload, std::vector<std::string> vectors = {""})
      : id_(id), payload_(std::move(payload)), vectors_(std::move(vectors)) {}
  const PointId& id() const override { return id_; }
  const Value& payload() const override { return payload_; }
  bool HasVector(std::string_view name) const override {
    for (const auto& v : vectors_) {
      if (v == name) return true;
    }
    return false;
  }

 private:
  PointId id_;
  Value payload_;
  std::vector<std::string> vectors_;
};

using FieldCond = decltype(FieldCondition::cond);

RangeCondition Range(std::initializer_list<std::pair<std::string_view, double>> bounds,
                     bool is_datetime = false) {
  RangeCondition r;
  for (auto [name, v] : bounds) {
    (name == "lt" ? r.lt : name == "gt" ? r.gt : name == "gte" ? r.gte : r.lte) = v;
  }
  r.is_datetime = is_datetime;
  return r;
}

ValuesCount Count(std::initializer_list<std::pair<std::string_view, uint64_t>> bounds) {
  ValuesCount c;
  for (auto [name, v] : bounds) {
    (name == "lt" ? c.lt : name == "gt" ? c.gt : name == "gte" ? c.gte : c.lte) = v;
  }
  return c;
}

Condition Field(std::string key, FieldCond cond) {
  FieldCondition fc;
  fc.key = std::move(key);
  fc.cond = std::move(cond);
  return Condition{std::move(fc)};
}

Filter Must(std::vector<Condition> conditions) {
  Filter f;
  f.must = std::move(conditions);
  return f;
}

bool Matches(const Filter& f, std::string_view payload) {
  return MatchesFilter(f, TestPoint(PointId::Num(1), J(payload)));
}

bool MatchOne(FieldCond cond, std::string_view payload, std::string key = "f") {
  return Matches(Must({Field(std::move(key), std::move(cond))}), payload);
}

TEST(FilterMatcherTest, EmptyFilterMatchesEverything) {
  EXPECT_TRUE(Matches(Filter{}, R"({})"));
  EXPECT_TRUE(MatchesFilter(Filter{}, TestPoint(PointId::Num(7), Value())));
}

TEST(FilterMatcherTest, MatchValueComparesTypesStrictly) {
  EXPECT_TRUE(MatchOne(MatchValue{"red"}, R"({"f": "red"})"));
  EXPECT_FALSE(MatchOne(MatchValue{"red"}, R"({"f": "Red"})"));
  EXPECT_TRUE(MatchOne(MatchValue{int64_t{1}}, R"({"f": 1})"));
  // A float payload never equals an integer match value, as serde's as_i64 fails on floats.
  EXPECT_FALSE(MatchOne(MatchValue{int64_t{1}}, R"({"f": 1.0})"));
  EXPECT_FALSE(MatchOne(MatchValue{int64_t{1}}, R"({"f": "1"})"));
  EXPECT_FALSE(MatchOne(MatchValue{int64_t{1}}, R"({"f": true})"));
  EXPECT_TRUE(MatchOne(MatchValue{true}, R"({"f": true})"));
  EXPECT_FALSE(MatchOne(MatchValue{true}, R"({"f": false})"));
}

TEST(FilterMatcherTest, ArrayValuesMatchWhenAnyElementMatches) {
  EXPECT_TRUE(MatchOne(MatchValue{"b"}, R"({"f": ["a", "b"]})"));
  EXPECT_FALSE(MatchOne(MatchValue{"c"}, R"({"f": ["a", "b"]})"));
  EXPECT_TRUE(MatchOne(MatchAny{{Value("x"), Value("b")}}, R"({"f": ["a", "b"]})"));
  EXPECT_FALSE(MatchOne(MatchAny{{Value(int64_t{3})}}, R"({"f": [1, 2]})"));
  EXPECT_TRUE(MatchOne(Range({{"gte", 8.0}}), R"({"f": [1, 5, 9]})"));
  EXPECT_FALSE(MatchOne(Range({{"gt", 9.0}}), R"({"f": [1, 5, 9]})"));
  // Arrays nested in arrays are not flattened further.
  EXPECT_FALSE(MatchOne(MatchValue{"a"}, R"({"f": [["a"]]})"));
}

TEST(FilterMatcherTest, MissingFieldSatisfiesNoFieldConditionButMustNot) {
  Filter must_not;
  must_not.must_not = {Field("color", MatchValue{"red"})};
  EXPECT_TRUE(Matches(must_not, R"({"size": 1})"));
  EXPECT_FALSE(Matches(must_not, R"({"color": "red"})"));
  EXPECT_FALSE(MatchOne(Range({{"lt", 100.0}}), R"({"g": 1})"));
  EXPECT_FALSE(MatchOne(MatchValue{"x"}, R"({"f": null})"));
}

TEST(FilterMatcherTest, MatchExceptFollowsQdrant) {
  MatchExcept except{{Value("black"), Value("white")}};
  EXPECT_TRUE(MatchOne(except, R"({"f": "red"})"));
  EXPECT_FALSE(MatchOne(except, R"({"f": "black"})"));
  EXPECT_FALSE(MatchOne(except, R"({})")) << "a missing field does not match except";
  EXPECT_FALSE(MatchOne(except, R"({"f": null})"));
  EXPECT_FALSE(MatchOne(except, R"({"f": []})"));
  EXPECT_TRUE(MatchOne(except, R"({"f": ["black", "red"]})"));
  EXPECT_FALSE(MatchOne(except, R"({"f": ["black", "white"]})"));
  EXPECT_TRUE(MatchOne(except, R"({"f": 5})")) << "other types match";
  EXPECT_TRUE(MatchOne(except, R"({"f": true})"));
  MatchExcept ints{{Value(int64_t{1}), Value(int64_t{2})}};
  EXPECT_FALSE(MatchOne(ints, R"({"f": 2})"));
  EXPECT_TRUE(MatchOne(ints, R"({"f": 3})"));
  EXPECT_TRUE(MatchOne(ints, R"({"f": 2.0})"));
}

TEST(FilterMatcherTest, TextMatchesWithoutIndexUseSubstrings) {
  auto text = [](MatchText::Kind kind, std::string t) { return MatchText{kind, std::move(t)}; };
  using K = MatchText::Kind;
  EXPECT_TRUE(MatchOne(text(K::kText, "cheap good"), R"({"f": "very cheap good food"})"));
  EXPECT_FALSE(MatchOne(text(K::kText, "good cheap"), R"({"f": "very cheap good food"})"));
  EXPECT_TRUE(MatchOne(text(K::kPhrase, "ood fo"), R"({"f": "good food"})"));
  EXPECT_TRUE(MatchOne(text(K::kTextAny, "pricey  food"), R"({"f": "good food"})"));
  EXPECT_FALSE(MatchOne(text(K::kTextAny, "pricey bad"), R"({"f": "good food"})"));
  EXPECT_FALSE(MatchOne(text(K::kTextAny, "   "), R"({"f": "good food"})"));
  EXPECT_FALSE(MatchOne(text(K::kText, "1"), R"({"f": 1})"));
  EXPECT_TRUE(MatchOne(MatchPrefix{"AB-"}, R"({"f": "AB-12"})"));
  EXPECT_FALSE(MatchOne(MatchPrefix{"ab-"}, R"({"f": "AB-12"})"));
}

TEST(FilterMatcherTest, NumericRange) {
  RangeCondition r = Range({{"gt", 1.0}, {"lte", 10.0}});
  EXPECT_FALSE(MatchOne(r, R"({"f": 1})"));
  EXPECT_TRUE(MatchOne(r, R"({"f": 1.5})"));
  EXPECT_TRUE(MatchOne(r, R"({"f": 10})"));
  EXPECT_FALSE(MatchOne(r, R"({"f": 10.01})"));
  EXPECT_FALSE(MatchOne(r, R"({"f": "5"})"));
  EXPECT_TRUE(MatchOne(RangeCondition{}, R"({"f": -3})")) << "an unbounded range holds any number";
}

TEST(FilterMatcherTest, DatetimeRange) {
  RangeCondition february = Range({{"lt", double(*ParseDatetimeMicros("2020-03-01T00:00:00Z"))},
                                   {"gte", double(*ParseDatetimeMicros("2020-02-01"))}},
                                  /*is_datetime=*/true);
  EXPECT_TRUE(MatchOne(february, R"({"f": "2020-02-15T00:00:00Z"})"));
  EXPECT_TRUE(MatchOne(february, R"({"f": "2020-02-01 00:00"})"));
  EXPECT_TRUE(MatchOne(february, R"({"f": "2020-03-01T01:00:00+02:00"})"));
  EXPECT_FALSE(MatchOne(february, R"({"f": "2020-03-01T00:00:00Z"})"));
  EXPECT_FALSE(MatchOne(february, R"({"f": "2020-01-31T23:59:59.999999Z"})"));
  EXPECT_FALSE(MatchOne(february, R"({"f": "not a date"})"));
  EXPECT_FALSE(MatchOne(february, R"({"f": 1581724800})"));
}

TEST(FilterMatcherTest, ParseDatetimeMicrosFormats) {
  const int64_t base = 1675853340LL * 1000000;  // 2023-02-08T10:49:00Z
  EXPECT_EQ(ParseDatetimeMicros("2023-02-08T10:49:00Z"), base);
  EXPECT_EQ(ParseDatetimeMicros("2023-02-08t10:49:00z"), base);
  EXPECT_EQ(ParseDatetimeMicros("2023-02-08T10:49:00.5Z"), base + 500000);
  EXPECT_EQ(ParseDatetimeMicros("2023-02-08T10:49:00.123456789Z"), base + 123456);
  EXPECT_EQ(ParseDatetimeMicros("2023-02-08T12:49:00+02:00"), base);
  EXPECT_EQ(ParseDatetimeMicros("2023-02-08T12:49:00+0200"), base);
  EXPECT_EQ(ParseDatetimeMicros("2023-02-08T12:49:00+02"), base);
  EXPECT_EQ(ParseDatetimeMicros("2023-02-08T05:19:00-05:30"), base);
  EXPECT_EQ(ParseDatetimeMicros("2023-02-08 10:49:00"), base);
  EXPECT_EQ(ParseDatetimeMicros("2023-02-08T10:49:00"), base);
  EXPECT_EQ(ParseDatetimeMicros("2023-02-08 10:49"), base);
  EXPECT_EQ(ParseDatetimeMicros("2023-02-08"), base - (10 * 3600 + 49 * 60) * 1000000LL);
  EXPECT_EQ(ParseDatetimeMicros("1970-01-01"), 0);
  EXPECT_EQ(ParseDatetimeMicros("1969-12-31T23:59:59Z"), -1000000);
  EXPECT_EQ(ParseDatetimeMicros("2024-02-29"), 1709164800LL * 1000000);
  for (const char* bad : {"", "2023", "2023-02-30", "2023-02-29", "2023-13-01", "2023-02-08T",
                          "2023-02-08T25:00:00Z", "2023-02-08T10:49:00+", "2023-02-08T10:49:00Q",
                          "2023-02-08T10:49:00.Z", "2023-02-08 10", "02/08/2023", "2023-02-08Z"}) {
    EXPECT_EQ(ParseDatetimeMicros(bad), std::nullopt) << bad;
  }
}

TEST(FilterMatcherTest, ValuesCount) {
  EXPECT_TRUE(MatchOne(Count({{"lt", 5}}), R"({"f": [3, 7, 9, 9]})"));
  EXPECT_FALSE(MatchOne(Count({{"gte", 10}}), R"({"f": [3, 7, 9, 9]})"));
  EXPECT_TRUE(MatchOne(Count({{"gt", 1}}), R"({"f": [{"a": 1}, {"a": 2}]})"));
  EXPECT_TRUE(MatchOne(Count({{"lte", 1}, {"gte", 1}}), R"({"f": "scalar"})"));
  EXPECT_TRUE(MatchOne(Count({{"lt", 1}}), R"({"f": null})")) << "null counts as 0";
  EXPECT_FALSE(MatchOne(Count({{"lt", 1}}), R"({})")) << "Qdrant: missing key never matches";
}

TEST(FilterMatcherTest, IsEmptyCondition) {
  Filter f = Must({Condition{IsEmptyCondition{"f"}}});
  EXPECT_TRUE(Matches(f, R"({})"));
  EXPECT_TRUE(Matches(f, R"({"f": null})"));
  EXPECT_TRUE(Matches(f, R"({"f": []})"));
  EXPECT_FALSE(Matches(f, R"({"f": [null]})"));
  EXPECT_FALSE(Matches(f, R"({"f": 0})"));
  EXPECT_FALSE(Matches(f, R"({"f": {}})"));
  const char* nested = R"({"a": [{"b": 1}, {"b": null}, {"d": []}, {"d": []}, {"e": null}]})";
  EXPECT_FALSE(Matches(Must({Condition{IsEmptyCondition{"a[].b"}}}), nested));
  EXPECT_TRUE(Matches(Must({Condition{IsEmptyCondition{"a[].c"}}}), nested));
  EXPECT_TRUE(Matches(Must({Condition{IsEmptyCondition{"a[].d"}}}), nested));
  EXPECT_TRUE(Matches(Must({Condition{IsEmptyCondition{"a[].e"}}}), nested));
}

TEST(FilterMatcherTest, IsNullCondition) {
  Filter f = Must({Condition{IsNullCondition{"f"}}});
  EXPECT_TRUE(Matches(f, R"({"f": null})"));
  EXPECT_FALSE(Matches(f, R"({})"));
  EXPECT_FALSE(Matches(f, R"({"f": []})"));
  EXPECT_FALSE(Matches(f, R"({"f": [null]})")) << "only an explicit null is null";
  EXPECT_FALSE(Matches(f, R"({"f": 1})"));
  Filter path = Must({Condition{IsNullCondition{"a[].b"}}});
  EXPECT_TRUE(Matches(path, R"({"a": [{"b": 1}, {"b": null}]})"));
  EXPECT_FALSE(Matches(path, R"({"a": [{"b": 1}, {"b": 2}]})"));
}

TEST(FilterMatcherTest, FieldConditionShorthands) {
  auto shorthand = [](std::optional<bool> is_empty, std::optional<bool> is_null) {
    FieldCondition fc;
    fc.key = "f";
    fc.is_empty = is_empty;
    fc.is_null = is_null;
    return Must({Condition{fc}});
  };
  EXPECT_TRUE(Matches(shorthand(true, {}), R"({})"));
  EXPECT_TRUE(Matches(shorthand(true, {}), R"({"f": []})"));
  EXPECT_FALSE(Matches(shorthand(true, {}), R"({"f": [1]})"));
  EXPECT_TRUE(Matches(shorthand(false, {}), R"({"f": [null]})"));
  EXPECT_FALSE(Matches(shorthand(false, {}), R"({})"));
  EXPECT_TRUE(Matches(shorthand({}, false), R"({})")) << "a missing key is not null";
  EXPECT_FALSE(Matches(shorthand({}, true), R"({})"));
  // Unlike IsNullCondition, the shorthand treats an array holding a null as null.
  EXPECT_TRUE(Matches(shorthand({}, true), R"({"f": [1, null]})"));
  EXPECT_FALSE(Matches(shorthand({}, false), R"({"f": [1, null]})"));
}

TEST(FilterMatcherTest, HasIdAndHasVector) {
  auto uuid = *PointId::ParseUuid("550e8400-e29b-41d4-a716-446655440000");
  HasIdCondition has_id{{PointId::Num(1), PointId::Num(5), PointId::Num(9), uuid}};
  Filter f = Must({Condition{has_id}});
  EXPECT_TRUE(MatchesFilter(f, TestPoint(PointId::Num(5), Value())));
  EXPECT_TRUE(MatchesFilter(f, TestPoint(uuid, Value())));
  EXPECT_FALSE(MatchesFilter(f, TestPoint(PointId::Num(4), Value())));
  Filter without;
  without.must_not = {Condition{has_id}};
  EXPECT_TRUE(MatchesFilter(without, TestPoint(PointId::Num(4), Value())));

  Filter image = Must({Condition{HasVectorCondition{"image"}}});
  EXPECT_TRUE(MatchesFilter(image, TestPoint(PointId::Num(1), Value(), {"image", "text"})));
  EXPECT_FALSE(MatchesFilter(image, TestPoint(PointId::Num(1), Value(), {"text"})));
  Filter dflt = Must({Condition{HasVectorCondition{""}}});
  EXPECT_TRUE(MatchesFilter(dflt, TestPoint(PointId::Num(1), Value())));
}

TEST(FilterMatcherTest, NestedAppliesFilterPerElement) {
  const char* payload =
      R"({"diet": [{"food": "meat", "likes": false}, {"food": "fish", "likes": true}]})";
  std::vector<Condition> both = {Field("diet[].food", MatchValue{"meat"}),
                                 Field("diet[].likes", MatchValue{true})};
  EXPECT_TRUE(Matches(Must(both), payload)) << "plain paths match across elements";

  auto inner = std::make_shared<Filter>(
      Must({Field("food", MatchValue{"meat"}), Field("likes", MatchValue{true})}));
  Filter nested = Must({Condition{NestedCondition{"diet", inner}}});
  EXPECT_FALSE(Matches(nested, payload));
  EXPECT_TRUE(Matches(nested, R"({"diet": [{"food": "meat", "likes": true}]})"));
  EXPECT_TRUE(Matches(Must({Condition{NestedCondition{"diet[]", inner}}}),
                      R"({"diet": [{"food": "meat", "likes": true}]})"));
  EXPECT_FALSE(Matches(nested, R"({"diet": {"food": "meat", "likes": true}})"));
  EXPECT_FALSE(Matches(nested, R"({})"));

  auto with_id = std::make_shared<Filter>(Must({Condition{HasIdCondition{{PointId::Num(1)}}}}));
  EXPECT_FALSE(Matches(Must({Condition{NestedCondition{"diet", with_id}}}), payload))
      << "has_id never matches inside nested";
}

TEST(FilterMatcherTest, KeyStepsDoNotTraverseArrays) {
  const char* payload = R"({"a": [{"b": 1}, {"b": 2}], "c": {"d": 3}, "e.f": 4})";
  EXPECT_FALSE(MatchOne(MatchValue{int64_t{2}}, payload, "a.b"));
  EXPECT_TRUE(MatchOne(MatchValue{int64_t{2}}, payload, "a[].b"));
  EXPECT_TRUE(MatchOne(MatchValue{int64_t{2}}, payload, "a[1].b"));
  EXPECT_FALSE(MatchOne(MatchValue{int64_t{2}}, payload, "a[0].b"));
  EXPECT_TRUE(MatchOne(MatchValue{int64_t{3}}, payload, "c.d"));
  EXPECT_TRUE(MatchOne(MatchValue{int64_t{4}}, payload, "\"e.f\""));
  EXPECT_FALSE(MatchOne(MatchValue{int64_t{4}}, payload, "e.f"));
}

const char* kBerlin = R"({"loc": {"lon": 13.404954, "lat": 52.520008}})";
const char* kMoscowAndBerlin =
    R"({"loc": [{"lon": 37.62137960067377, "lat": 55.7536283}, {"lon": 13.4136, "lat": 52.5219}]})";

TEST(FilterMatcherTest, GeoBoundingBox) {
  GeoBoundingBox berlin{{13.08835, 52.67551}, {13.76116, 52.33826}};
  GeoBoundingBox moscow{{37.0366, 56.1859}, {38.2532, 55.317}};
  EXPECT_TRUE(MatchOne(berlin, kBerlin, "loc"));
  EXPECT_FALSE(MatchOne(moscow, kBerlin, "loc"));
  EXPECT_TRUE(MatchOne(moscow, kMoscowAndBerlin, "loc"));
  GeoBoundingBox across_antimeridian{{170, 10}, {-170, -10}};
  EXPECT_TRUE(MatchOne(across_antimeridian, R"({"loc": {"lon": 179, "lat": 0}})", "loc"));
  EXPECT_TRUE(MatchOne(across_antimeridian, R"({"loc": {"lon": -175, "lat": 0}})", "loc"));
  EXPECT_FALSE(MatchOne(across_antimeridian, R"({"loc": {"lon": 0, "lat": 0}})", "loc"));
  EXPECT_FALSE(MatchOne(berlin, R"({"loc": {"lon": "13.4", "lat": 52.5}})", "loc"));
}

TEST(FilterMatcherTest, GeoRadiusUsesHaversine) {
  GeoRadius near_berlin{{13.413637, 52.521976}, 2000.0};
  EXPECT_TRUE(MatchOne(near_berlin, kMoscowAndBerlin, "loc"));
  EXPECT_FALSE(MatchOne(GeoRadius{{20.423637, 52.511}, 2000.0}, kMoscowAndBerlin, "loc"));
  // One degree of latitude is ~111.195 km on the mean-radius sphere.
  const char* origin = R"({"loc": {"lon": 0, "lat": 1}})";
  EXPECT_TRUE(MatchOne(GeoRadius{{0, 0}, 111200.0}, origin, "loc"));
  EXPECT_FALSE(MatchOne(GeoRadius{{0, 0}, 111190.0}, origin, "loc"));
}

TEST(FilterMatcherTest, GeoPolygonWithHole) {
  GeoPolygon square{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
                    {{{4, 4}, {6, 4}, {6, 6}, {4, 6}, {4, 4}}}};
  EXPECT_TRUE(MatchOne(square, R"({"loc": {"lon": 2, "lat": 2}})", "loc"));
  EXPECT_FALSE(MatchOne(square, R"({"loc": {"lon": 5, "lat": 5}})", "loc")) << "in the hole";
  EXPECT_FALSE(MatchOne(square, R"({"loc": {"lon": 11, "lat": 5}})", "loc"));
  EXPECT_FALSE(MatchOne(square, R"({"loc": {"lon": 10, "lat": 5}})", "loc")) << "on the edge";
  EXPECT_FALSE(MatchOne(square, R"({"loc": {"lon": 4, "lat": 5}})", "loc")) << "on the hole";
}

TEST(FilterMatcherTest, ShouldMustNotAndNestedFilters) {
  Condition red = Field("color", MatchValue{"red"});
  Condition blue = Field("color", MatchValue{"blue"});
  Condition big = Field("size", Range({{"gte", 10.0}}));
  const char* payload = R"({"color": "red", "size": 12})";
  Filter any;
  any.should = {blue, red};
  EXPECT_TRUE(Matches(any, payload));
  any.should = {blue};
  EXPECT_FALSE(Matches(any, payload));
  Filter combo;
  combo.should = {Condition{std::make_shared<Filter>(Must({blue, big}))},
                  Condition{std::make_shared<Filter>(Must({red, big}))}};
  combo.must_not = {Field("size", Range({{"gt", 20.0}}))};
  EXPECT_TRUE(Matches(combo, payload));
  combo.must_not.push_back(red);
  EXPECT_FALSE(Matches(combo, payload));
}

TEST(FilterMatcherTest, MinShould) {
  Filter f;
  f.min_should = MinShould{{Field("a", MatchValue{int64_t{1}}), Field("b", MatchValue{int64_t{2}}),
                            Field("c", MatchValue{int64_t{3}})},
                           2};
  EXPECT_TRUE(Matches(f, R"({"a": 1, "b": 2, "c": 0})"));
  EXPECT_TRUE(Matches(f, R"({"a": 1, "b": 2, "c": 3})"));
  EXPECT_FALSE(Matches(f, R"({"a": 1, "b": 0, "c": 0})"));
  f.min_should->min_count = 4;
  EXPECT_FALSE(Matches(f, R"({"a": 1, "b": 2, "c": 3})")) << "more than there are conditions";
}

TEST(FilterMatcherTest, SlicesPartitionTheIdSpace) {
  auto in_slice = [](const PointId& id, uint64_t total, uint64_t index) {
    return MatchesFilter(Must({Condition{SliceCondition{total, index}}}), TestPoint(id, Value()));
  };
  std::vector<PointId> ids;
  for (uint64_t i = 0; i < 400; ++i) ids.push_back(PointId::Num(i));
  for (uint64_t i = 0; i < 100; ++i) ids.push_back(PointId{true, i * 0x9E3779B97F4A7C15ull, i});
  std::vector<int> sizes(4);
  for (const PointId& id : ids) {
    int hits = 0;
    for (uint64_t index = 0; index < 4; ++index) {
      if (in_slice(id, 4, index)) {
        ++hits;
        ++sizes[index];
        // A slice of 4 lies inside the slice of 2 with the same residue.
        EXPECT_TRUE(in_slice(id, 2, index % 2));
      }
    }
    EXPECT_EQ(hits, 1);
    EXPECT_TRUE(in_slice(id, 1, 0));
  }
  for (int size : sizes) EXPECT_GT(size, 80);  // ~125 each
}

TEST(FilterMatcherTest, SliceHashesCanonicalIdBytes) {
  // Expected slices from an independent SipHash-2-4 (zero key) over 8 little-endian id bytes,
  // and over the 16 RFC 4122 bytes of a UUID.
  auto slice_of = [](const PointId& id, uint64_t total) -> int {
    for (uint64_t index = 0; index < total; ++index) {
      Filter f = Must({Condition{SliceCondition{total, index}}});
      if (MatchesFilter(f, TestPoint(id, Value()))) return static_cast<int>(index);
    }
    return -1;
  };
  const int kSliceOf4[] = {3, 2, 1, 2, 0, 0, 1, 0};
  const int kSliceOf7[] = {3, 2, 3, 3, 2, 2, 6, 6};
  for (uint64_t i = 0; i < 8; ++i) {
    EXPECT_EQ(slice_of(PointId::Num(i), 4), kSliceOf4[i]) << i;
    EXPECT_EQ(slice_of(PointId::Num(i), 7), kSliceOf7[i]) << i;
  }
  auto uuid = *PointId::ParseUuid("550e8400-e29b-41d4-a716-446655440000");
  EXPECT_EQ(slice_of(uuid, 4), 0);
  EXPECT_EQ(slice_of(uuid, 7), 0);
}

}  // namespace
}  // namespace quiver::engine
