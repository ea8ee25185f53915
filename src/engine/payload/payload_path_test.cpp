#include "engine/payload/payload_path.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace quiver::engine {
namespace {

std::vector<PathStep> P(std::string_view path) {
  auto parsed = ParsePath(path);
  EXPECT_TRUE(parsed.ok()) << path;
  return parsed.ok() ? parsed.value() : std::vector<PathStep>{};
}

std::vector<Value> Copy(const std::vector<const Value*>& values) {
  std::vector<Value> out;
  for (const Value* v : values) out.push_back(*v);
  return out;
}

Value Obj(std::initializer_list<std::pair<std::string, Value>> members) {
  Value v{Object{}};
  for (const auto& [k, m] : members) v.Set(k, m);
  return v;
}

TEST(PayloadPathTest, ParsesQdrantJsonPaths) {
  auto steps = P("foo[1][50].bar-baz[].\"qux[.]quux\"");
  ASSERT_EQ(steps.size(), 6u);
  EXPECT_EQ(steps[0].key, "foo");
  EXPECT_EQ(steps[1].kind, PathStep::Kind::kIndex);
  EXPECT_EQ(steps[1].index, 1u);
  EXPECT_EQ(steps[2].index, 50u);
  EXPECT_EQ(steps[3].kind, PathStep::Kind::kKey);
  EXPECT_EQ(steps[3].key, "bar-baz");
  EXPECT_EQ(steps[4].kind, PathStep::Kind::kAllElements);
  EXPECT_EQ(steps[5].kind, PathStep::Kind::kKey);
  EXPECT_EQ(steps[5].key, "qux[.]quux");
  EXPECT_EQ(P("\"a.b\"")[0].key, "a.b");
  EXPECT_EQ(P("Müesli")[0].key, "Müesli");
  EXPECT_EQ(P("a[]")[1].kind, PathStep::Kind::kAllElements);
}

TEST(PayloadPathTest, RejectsMalformedPaths) {
  for (const char* bad : {"", ".a", "a.", "a..b", "a[", "a[x]", "a[-1]", "[0]", "a b", "\"a",
                          "a.\"b", "a]", "a[1", "a[]b", "a[99999999999999999999999]"}) {
    auto parsed = ParsePath(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), base::StatusCode::kBadRequest);
  }
}

TEST(PayloadPathTest, RawValuesKeepLeafArraysAndValuesAtFlattensThem) {
  Value payload =
      Obj({{"arr", Array{Obj({{"a", Array{1, 2, 3}}}), Obj({{"a", 4}}), Obj({{"b", 5}})}}});
  EXPECT_EQ(Copy(RawValuesAt(payload, P("arr[].a"))), (std::vector<Value>{Array{1, 2, 3}, 4}));
  EXPECT_EQ(Copy(ValuesAt(payload, P("arr[].a"))), (std::vector<Value>{1, 2, 3, 4}));
  EXPECT_EQ(Copy(RawValuesAt(payload, P("arr[].a[]"))), (std::vector<Value>{1, 2, 3}));
  EXPECT_EQ(Copy(RawValuesAt(payload, P("arr[1].a"))), (std::vector<Value>{4}));
  EXPECT_TRUE(RawValuesAt(payload, P("arr[3].a")).empty());
  EXPECT_TRUE(RawValuesAt(payload, P("missing")).empty());
}

TEST(PayloadPathTest, KeyStepOverArrayYieldsNothing) {
  // Qdrant's JsonPath: a key only descends into objects; `[]` is needed to enter arrays.
  Value payload = Obj({{"a", Array{Obj({{"b", 1}}), Obj({{"b", Array{2, 3}}})}}});
  EXPECT_TRUE(ValuesAt(payload, P("a.b")).empty());
  EXPECT_EQ(Copy(ValuesAt(payload, P("a[].b"))), (std::vector<Value>{1, 2, 3}));
}

TEST(PayloadPathTest, NullAndEmptyValues) {
  Value payload = Obj({{"a", nullptr}, {"b", Array{nullptr, nullptr}}, {"c", Array{}}});
  EXPECT_EQ(Copy(RawValuesAt(payload, P("a"))), (std::vector<Value>{Value()}));
  EXPECT_TRUE(RawValuesAt(payload, P("a[]")).empty());
  EXPECT_EQ(RawValuesAt(payload, P("b[]")).size(), 2u);
  EXPECT_EQ(Copy(RawValuesAt(payload, P("c"))), (std::vector<Value>{Array{}}));
  EXPECT_TRUE(RawValuesAt(payload, P("c[]")).empty());
  EXPECT_TRUE(RawValuesAt(Value(), P("a")).empty()) << "a point without payload";
}

TEST(PayloadPathTest, SetPayloadMergesAndNullRemoves) {
  Value payload = Obj({{"a", 1}, {"b", 2}});
  SetPayload(payload, Obj({{"b", nullptr}, {"c", 3}}), nullptr);
  EXPECT_EQ(payload, Obj({{"a", 1}, {"c", 3}}));
  Value empty;
  SetPayload(empty, Obj({{"x", "y"}}), nullptr);
  EXPECT_EQ(empty, Obj({{"x", "y"}}));
}

TEST(PayloadPathTest, SetPayloadAtKeyCreatesObjects) {
  Value payload = Obj({{"a", 10}});
  auto key = P("a.b.c");
  SetPayload(payload, Obj({{"x", 1}}), &key);
  EXPECT_EQ(payload, Obj({{"a", Obj({{"b", Obj({{"c", Obj({{"x", 1}})}})}})}}));

  Value fresh{Object{}};
  key = P("key1.key2");
  SetPayload(fresh, Obj({{"c", 1}}), &key);
  EXPECT_EQ(fresh, Obj({{"key1", Obj({{"key2", Obj({{"c", 1}})}})}}));
}

TEST(PayloadPathTest, SetPayloadWithArraySteps) {
  Value payload = Obj({{"a", Obj({{"b", Array{Obj({{"c", 1}}), Obj({{"c", 2}})}}})}});
  auto key = P("a.b[1]");
  SetPayload(payload, Obj({{"c", 5}}), &key);
  EXPECT_EQ(payload, Obj({{"a", Obj({{"b", Array{Obj({{"c", 1}}), Obj({{"c", 5}})}}})}}));
  key = P("a.b[]");
  SetPayload(payload, Obj({{"d", 0}}), &key);
  EXPECT_EQ(
      payload,
      Obj({{"a", Obj({{"b", Array{Obj({{"c", 1}, {"d", 0}}), Obj({{"c", 5}, {"d", 0}})}}})}}));

  // Missing arrays are created empty; indexes past the end are not filled.
  Value fresh{Object{}};
  key = P("key1.key2[3]");
  SetPayload(fresh, Obj({{"c", 1}}), &key);
  EXPECT_EQ(fresh, Obj({{"key1", Obj({{"key2", Array{}}})}}));
  Value other{Object{}};
  key = P("key1.key2[].key3");
  SetPayload(other, Obj({{"c", 1}}), &key);
  EXPECT_EQ(other, Obj({{"key1", Obj({{"key2", Array{}}})}}));
}

TEST(PayloadPathTest, DeletePayloadKey) {
  Value payload =
      Obj({{"a", 1},
           {"b", Obj({{"c", 123},
                      {"i", Array{Obj({{"j", 1}, {"k", 2}}), Obj({{"j", 3}, {"k", 4}})}},
                      {"f", Array{1, 2, 3}}})}});
  DeletePayloadKey(payload, P("b.c"));
  EXPECT_EQ(payload.Find("b")->Find("c"), nullptr);
  DeletePayloadKey(payload, P("b.i[0].j"));
  DeletePayloadKey(payload, P("b.i[].k"));
  EXPECT_EQ(*payload.Find("b")->Find("i"), (Value(Array{Obj({}), Obj({{"j", 3}})})));
  DeletePayloadKey(payload, P("b.f[1]"));
  EXPECT_EQ(*payload.Find("b")->Find("f"), (Value(Array{1, 2, 3}))) << "index removal ignored";
  DeletePayloadKey(payload, P("b.f[]"));
  EXPECT_EQ(*payload.Find("b")->Find("f"), Value(Array{}));
  DeletePayloadKey(payload, P("missing.x"));
  DeletePayloadKey(payload, P("a"));
  DeletePayloadKey(payload, P("a.b"));
  EXPECT_EQ(payload, Obj({{"b", Obj({{"i", Array{Obj({}), Obj({{"j", 3}})}}, {"f", Array{}}})}}));
}

}  // namespace
}  // namespace quiver::engine
