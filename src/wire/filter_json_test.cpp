#include "wire/filter_json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/filter/filter_matcher.h"

namespace quiver::wire {
namespace {

using base::StatusCode;
using engine::Filter;

base::Result<Filter> Parse(std::string_view json) {
  auto body = ParseBody(json);
  if (!body.ok()) return body.status();
  return ParseFilter(body.value(), "filter");
}

Filter ParseOk(std::string_view json) {
  auto f = Parse(json);
  EXPECT_TRUE(f.ok()) << json << ": " << f.status().message();
  return f.ok() ? f.value() : Filter{};
}

StatusCode Code(std::string_view json) { return Parse(json).status().code(); }

class JsonPoint : public engine::PointView {
 public:
  JsonPoint(uint64_t id, std::string_view payload) : id_(engine::PointId::Num(id)) {
    payload_ = ToValue(ParseBody(payload).value());
  }
  const engine::PointId& id() const override { return id_; }
  const engine::Value& payload() const override { return payload_; }
  bool HasVector(std::string_view name) const override { return name.empty(); }

 private:
  engine::PointId id_;
  engine::Value payload_;
};

bool Matches(std::string_view filter, std::string_view payload, uint64_t id = 1) {
  Filter f = ParseOk(filter);
  return engine::MatchesFilter(f, JsonPoint(id, payload));
}

TEST(FilterJsonTest, ClausesTakeOneConditionOrAnArray) {
  Filter one = ParseOk(R"({"must": {"key": "a", "match": {"value": 1}}})");
  EXPECT_EQ(one.must.size(), 1u);
  Filter many = ParseOk(
      R"({"must": [{"key": "a", "match": {"value": 1}}, {"has_id": [1]}], "should": null,
          "must_not": [{"is_empty": {"key": "b"}}]})");
  EXPECT_EQ(many.must.size(), 2u);
  EXPECT_TRUE(many.should.empty());
  EXPECT_EQ(many.must_not.size(), 1u);
  EXPECT_TRUE(ParseOk("{}").must.empty());
}

TEST(FilterJsonTest, UnknownFilterKeyIsAFormatError) {
  auto f = Parse(R"({"must": [], "filter": {}})");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kFormat);
  EXPECT_NE(f.status().message().find("unknown field `filter`"), std::string::npos);
  EXPECT_EQ(Code(R"({"must": [{"foo": 1}]})"), StatusCode::kFormat);
  EXPECT_EQ(Code(R"({"must": 5})"), StatusCode::kFormat);
  EXPECT_EQ(Code(R"([])"), StatusCode::kFormat);
}

TEST(FilterJsonTest, FieldConditionErrors) {
  EXPECT_EQ(Code(R"({"must": [{"key": "a"}]})"), StatusCode::kValidation);
  EXPECT_EQ(Code(R"({"must": [{"key": "a", "match": null}]})"), StatusCode::kValidation);
  EXPECT_EQ(Code(R"({"must": [{"key": "a..b", "match": {"value": 1}}]})"), StatusCode::kFormat);
  EXPECT_EQ(Code(R"({"must": [{"key": 3, "match": {"value": 1}}]})"), StatusCode::kFormat);
  EXPECT_EQ(Code(R"({"must": [{"key": "a", "match": {"value": 1.5}}]})"), StatusCode::kFormat);
  EXPECT_EQ(Code(R"({"must": [{"key": "a", "match": {"any": ["x", 1]}}]})"), StatusCode::kFormat);
  EXPECT_EQ(Code(R"({"must": [{"key": "a", "match": {"nothing": 1}}]})"), StatusCode::kFormat);
  EXPECT_EQ(Code(R"({"must": [{"key": "a", "values_count": {"lt": -1}}]})"), StatusCode::kFormat);
  EXPECT_EQ(Code(R"({"must": [{"key": "a", "is_empty": "yes"}]})"), StatusCode::kFormat);
  auto bad_path = Parse(R"({"must": [{"key": "a b", "match": {"value": 1}}]})");
  EXPECT_NE(bad_path.status().message().find("Invalid json path: 'a b'"), std::string::npos);
}

TEST(FilterJsonTest, MatchVariants) {
  EXPECT_TRUE(Matches(R"({"must": {"key": "c", "match": {"value": "red"}}})", R"({"c": "red"})"));
  EXPECT_TRUE(Matches(R"({"must": {"key": "n", "match": {"value": -3}}})", R"({"n": -3})"));
  EXPECT_TRUE(Matches(R"({"must": {"key": "b", "match": {"value": false}}})", R"({"b": false})"));
  EXPECT_TRUE(
      Matches(R"({"must": {"key": "c", "match": {"any": ["a", "red"]}}})", R"({"c": "red"})"));
  EXPECT_TRUE(Matches(R"({"must": {"key": "n", "match": {"any": [1, 2]}}})", R"({"n": 2})"));
  EXPECT_FALSE(Matches(R"({"must": {"key": "n", "match": {"any": []}}})", R"({"n": 2})"));
  EXPECT_TRUE(Matches(R"({"must": {"key": "c", "match": {"except": ["a"]}}})", R"({"c": "b"})"));
  EXPECT_FALSE(Matches(R"({"must": {"key": "c", "match": {"except": ["a"]}}})", R"({})"));
  EXPECT_TRUE(
      Matches(R"({"must": {"key": "t", "match": {"text": "od fo"}}})", R"({"t": "good food"})"));
  EXPECT_TRUE(Matches(R"({"must": {"key": "t", "match": {"text_any": "bad food"}}})",
                      R"({"t": "good food"})"));
  EXPECT_FALSE(Matches(R"({"must": {"key": "t", "match": {"phrase": "food good"}}})",
                       R"({"t": "good food"})"));
  EXPECT_TRUE(Matches(R"({"must": {"key": "s", "match": {"prefix": "AB"}}})", R"({"s": "ABC"})"));
}

TEST(FilterJsonTest, NumericAndDatetimeRanges) {
  const char* numeric = R"({"must": {"key": "p", "range": {"gte": 10, "lt": 100.5}}})";
  EXPECT_TRUE(Matches(numeric, R"({"p": 10})"));
  EXPECT_TRUE(Matches(numeric, R"({"p": 100.4})"));
  EXPECT_FALSE(Matches(numeric, R"({"p": 100.5})"));
  const char* dates = R"({"must": {"key": "d", "range": {"gt": "2023-02-08T10:49:00Z",
                                                          "lte": "2024-01-31", "lt": null}}})";
  EXPECT_TRUE(Matches(dates, R"({"d": "2023-06-01T00:00:00+05:00"})"));
  EXPECT_TRUE(Matches(dates, R"({"d": "2024-01-31 00:00:00"})"));
  EXPECT_FALSE(Matches(dates, R"({"d": "2024-01-31T00:00:01Z"})"));
  EXPECT_FALSE(Matches(dates, R"({"d": 5})"));
  auto bad = Parse(R"({"must": {"key": "d", "range": {"gt": "yesterday"}}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kFormat);
  EXPECT_NE(bad.status().message().find("'yesterday' is not in a supported date/time format"),
            std::string::npos);
  EXPECT_EQ(Code(R"({"must": {"key": "d", "range": {"gt": "2023-01-01", "lt": 5}}})"),
            StatusCode::kFormat);
  EXPECT_EQ(Code(R"({"must": {"key": "d", "range": {"gt": true}}})"), StatusCode::kFormat);
}

TEST(FilterJsonTest, GeoConditions) {
  const char* payload = R"({"loc": {"lon": 13.41, "lat": 52.52}})";
  EXPECT_TRUE(Matches(R"({"must": {"key": "loc", "geo_bounding_box": {
      "top_left": {"lon": 13.0, "lat": 52.7}, "bottom_right": {"lon": 13.8, "lat": 52.3}}}})",
                      payload));
  EXPECT_TRUE(Matches(R"({"must": {"key": "loc", "geo_radius": {
      "center": {"lon": 13.4, "lat": 52.5}, "radius": 3000}}})",
                      payload));
  EXPECT_FALSE(Matches(R"({"must": {"key": "loc", "geo_radius": {
      "center": {"lon": 13.4, "lat": 52.5}, "radius": 1000}}})",
                       payload));
  EXPECT_TRUE(Matches(R"({"must": {"key": "loc", "geo_polygon": {"exterior": {"points": [
      {"lon": 13, "lat": 52}, {"lon": 14, "lat": 52}, {"lon": 14, "lat": 53},
      {"lon": 13, "lat": 53}, {"lon": 13, "lat": 52}]}, "interiors": null}}})",
                      payload));
  EXPECT_EQ(Code(R"({"must": {"key": "loc", "geo_radius": {
      "center": {"lon": 200, "lat": 0}, "radius": 1}}})"),
            StatusCode::kFormat);
  EXPECT_EQ(Code(R"({"must": {"key": "loc", "geo_radius": {"center": {"lon": 1}, "radius": 1}}})"),
            StatusCode::kFormat);
  auto few = Parse(R"({"must": {"key": "loc", "geo_polygon": {"exterior": {"points": [
      {"lon": 0, "lat": 0}, {"lon": 1, "lat": 0}, {"lon": 0, "lat": 0}]}}}})");
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.status().code(), StatusCode::kFormat);
  EXPECT_NE(few.status().message().find("the size must be at least 4, got 3"), std::string::npos);
  EXPECT_EQ(Code(R"({"must": {"key": "loc", "geo_polygon": {"exterior": {"points": [
      {"lon": 0, "lat": 0}, {"lon": 1, "lat": 0}, {"lon": 1, "lat": 1}, {"lon": 0, "lat": 1}]}}}})"),
            StatusCode::kFormat);
  EXPECT_EQ(Code(R"({"must": {"key": "loc", "geo_polygon": {"exterior": {"points": [
      {"lon": 0, "lat": 0}, {"lon": 1, "lat": 0}, {"lon": 1, "lat": 1}, {"lon": 0, "lat": 0}]},
      "interiors": [{"points": []}]}}})"),
            StatusCode::kFormat);
}

TEST(FilterJsonTest, CountEmptyNullShorthands) {
  EXPECT_TRUE(Matches(R"({"must": {"key": "c", "values_count": {"gt": 2}}})", R"({"c": [1,2,3]})"));
  EXPECT_FALSE(Matches(R"({"must": {"key": "c", "values_count": {"gt": 2}}})", R"({"c": [1]})"));
  EXPECT_TRUE(Matches(R"({"must": {"is_empty": {"key": "r"}}})", R"({"r": []})"));
  EXPECT_TRUE(Matches(R"({"must": {"is_null": {"key": "r"}}})", R"({"r": null})"));
  EXPECT_TRUE(Matches(R"({"must": {"key": "r", "is_empty": true}})", R"({})"));
  EXPECT_FALSE(Matches(R"({"must": {"key": "r", "is_null": true}})", R"({})"));
  EXPECT_EQ(Code(R"({"must": {"is_empty": "r"}})"), StatusCode::kFormat);
  EXPECT_EQ(Code(R"({"must": {"is_null": {}}})"), StatusCode::kFormat);
}

TEST(FilterJsonTest, SeveralPartsOfOneFieldConditionAreOred) {
  const char* f = R"({"must": {"key": "v", "match": {"value": 5}, "range": {"gt": 100}}})";
  EXPECT_TRUE(Matches(f, R"({"v": 5})"));
  EXPECT_TRUE(Matches(f, R"({"v": 500})"));
  EXPECT_FALSE(Matches(f, R"({"v": 50})"));
}

TEST(FilterJsonTest, HasIdHasVectorNested) {
  Filter f = ParseOk(R"({"must": {"has_id": [9, 3, 3, "550e8400-e29b-41d4-a716-446655440000"]}})");
  const auto& ids = std::get<engine::HasIdCondition>(f.must[0].c).ids;
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_TRUE(Matches(R"({"must": {"has_id": [9, 3]}})", "{}", 3));
  EXPECT_FALSE(Matches(R"({"must": {"has_id": [9, 3]}})", "{}", 4));
  EXPECT_EQ(Code(R"({"must": {"has_id": ["42"]}})"), StatusCode::kFormat);
  EXPECT_EQ(Code(R"({"must": {"has_id": [-1]}})"), StatusCode::kFormat);
  EXPECT_TRUE(Matches(R"({"must": {"has_vector": ""}})", "{}"));
  EXPECT_FALSE(Matches(R"({"must": {"has_vector": "image"}})", "{}"));

  const char* nested = R"({"must": {"nested": {"key": "diet", "filter": {"must": [
      {"key": "food", "match": {"value": "meat"}}, {"key": "likes", "match": {"value": true}}]}}}})";
  EXPECT_FALSE(Matches(nested, R"({"diet": [{"food": "meat", "likes": false},
                                            {"food": "fish", "likes": true}]})"));
  EXPECT_TRUE(Matches(nested, R"({"diet": [{"food": "meat", "likes": true}]})"));
  EXPECT_EQ(Code(R"({"must": {"nested": {"key": "diet"}}})"), StatusCode::kFormat);
  EXPECT_EQ(Code(R"({"must": {"nested": {"key": "diet", "filter": {"bogus": 1}}}})"),
            StatusCode::kFormat);
}

TEST(FilterJsonTest, MinShouldAndSlice) {
  const char* two_of_three = R"({"min_should": {"min_count": 2, "conditions": [
      {"key": "a", "match": {"value": 1}}, {"key": "b", "match": {"value": 1}},
      {"key": "c", "match": {"value": 1}}]}})";
  EXPECT_TRUE(Matches(two_of_three, R"({"a": 1, "c": 1})"));
  EXPECT_FALSE(Matches(two_of_three, R"({"a": 1})"));
  EXPECT_EQ(Code(R"({"min_should": {"min_count": 0, "conditions": []}})"), StatusCode::kValidation);
  EXPECT_EQ(Code(R"({"min_should": {"conditions": []}})"), StatusCode::kFormat);

  Filter slice = ParseOk(R"({"must": {"slice": {"total": 4, "index": 3}}})");
  const auto& s = std::get<engine::SliceCondition>(slice.must[0].c);
  EXPECT_EQ(s.total, 4u);
  EXPECT_EQ(s.index, 3u);
  EXPECT_EQ(Code(R"({"must": {"slice": {"total": 0, "index": 0}}})"), StatusCode::kFormat);
  EXPECT_EQ(Code(R"({"must": {"slice": {"total": 4, "index": 4}}})"), StatusCode::kValidation);
  EXPECT_EQ(Code(R"({"must": {"slice": {"total": 4294967296, "index": 0}}})"), StatusCode::kFormat);
}

TEST(FilterJsonTest, EmptyShouldMatchesNothingAndEmptyConditionEverything) {
  EXPECT_FALSE(Matches(R"({"should": []})", R"({"a": 1})"));
  EXPECT_TRUE(Matches(R"({"should": null})", R"({"a": 1})"));
  EXPECT_TRUE(Matches(R"({"must": []})", R"({"a": 1})"));
  EXPECT_TRUE(Matches(R"({"must": [{}]})", R"({"a": 1})"));
  EXPECT_FALSE(Matches(R"({"must_not": [{}]})", R"({"a": 1})"));
  EXPECT_TRUE(
      Matches(R"({"must": {"should": [{"key": "a", "match": {"value": 1}}]}})", R"({"a": 1})"));
}

}  // namespace
}  // namespace quiver::wire
