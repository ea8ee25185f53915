#include "ops/ingest/point_ids.h"

#include <gtest/gtest.h>

#include "ops/ingest/point_converter.h"

namespace quiver::ops::ingest {
namespace {

TEST(PointIds, ParsesIdSpecs) {
  EXPECT_EQ(IdSpec::Parse("auto").value().kind, IdSpec::Kind::kAuto);
  EXPECT_EQ(IdSpec::Parse("line").value().kind, IdSpec::Kind::kLine);
  auto f = IdSpec::Parse("field:meta.key").value();
  EXPECT_EQ(f.kind, IdSpec::Kind::kField);
  EXPECT_EQ(f.field, "meta.key");
  EXPECT_EQ(IdSpec::Parse("uuid5:url").value().ToString(), "uuid5:url");
  EXPECT_FALSE(IdSpec::Parse("uuid5:").ok());
  EXPECT_FALSE(IdSpec::Parse("random").ok());
}

TEST(PointIds, Uuid5MatchesRfc4122) {
  // Values from Python: uuid.uuid5(uuid.NAMESPACE_URL, name).
  EXPECT_EQ(Uuid5(DefaultIdNamespace(), "hello"), "074171de-bc84-5ea4-b636-1135477620e1");
  EXPECT_EQ(Uuid5(DefaultIdNamespace(), "doc-42"), "e5a4ebb2-d050-5448-87dd-824740a6a540");
  auto ns = ParseUuidBytes("12345678-1234-5678-1234-567812345678").value();
  EXPECT_EQ(Uuid5(ns, "x"), "a3fabe7b-db47-50ac-bb4f-d93e4e254857");
  EXPECT_EQ(FormatUuid(DefaultIdNamespace()), "6ba7b811-9dad-11d1-80b4-00c04fd430c8");
}

TEST(PointIds, IdsFromText) {
  EXPECT_EQ(PointIdJsonFromText("42").value(), "42");
  EXPECT_EQ(PointIdJsonFromText("18446744073709551615").value(), "18446744073709551615");
  EXPECT_FALSE(PointIdJsonFromText("18446744073709551616").ok());
  EXPECT_FALSE(PointIdJsonFromText("042").ok());
  EXPECT_FALSE(PointIdJsonFromText("-1").ok());
  EXPECT_EQ(PointIdJsonFromText("6BA7B8119DAD11D180B400C04FD430C8").value(),
            "\"6ba7b811-9dad-11d1-80b4-00c04fd430c8\"");
  EXPECT_EQ(PointIdJsonFromUuidString("not-a-uuid").status().message(),
            "bad id `not-a-uuid`: point ids are unsigned integers or UUIDs");
}

TEST(PointIds, MakePointIdFollowsTheSpec) {
  ConvertOptions o;
  KeyValue none;
  EXPECT_EQ(MakePointId(o, 7, "5", none).value(), "5");
  EXPECT_FALSE(MakePointId(o, 7, "", none).ok());
  o.id = IdSpec::Parse("line").value();
  EXPECT_EQ(MakePointId(o, 7, "5", none).value(), "7");
  o.id = IdSpec::Parse("uuid5:k").value();
  EXPECT_FALSE(MakePointId(o, 7, "", none).ok());
  KeyValue key{KeyValue::Kind::kString, "hello"};
  EXPECT_EQ(MakePointId(o, 7, "", key).value(), "\"074171de-bc84-5ea4-b636-1135477620e1\"");
  o.id = IdSpec::Parse("field:k").value();
  EXPECT_EQ(MakePointId(o, 7, "", KeyValue{KeyValue::Kind::kUnsigned, "99"}).value(), "99");
  EXPECT_FALSE(MakePointId(o, 7, "", KeyValue{KeyValue::Kind::kOther, "1.5"}).ok());
}

TEST(PointIds, LooksUpPayloadFields) {
  auto kv = LookupJsonField(R"({"a":{"b":"x"},"n":12,"f":1.5})", "a.b");
  EXPECT_EQ(kv.kind, KeyValue::Kind::kString);
  EXPECT_EQ(kv.text, "x");
  kv = LookupJsonField(R"({"a":{"b":"x"},"n":12,"f":1.5})", "n");
  EXPECT_EQ(kv.kind, KeyValue::Kind::kUnsigned);
  EXPECT_EQ(kv.text, "12");
  EXPECT_EQ(LookupJsonField(R"({"f":1.5})", "f").kind, KeyValue::Kind::kOther);
  EXPECT_EQ(LookupJsonField(R"({"f":1.5})", "g").kind, KeyValue::Kind::kMissing);
}

}  // namespace
}  // namespace quiver::ops::ingest
