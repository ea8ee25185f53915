// Record -> point JSON: pass-through, ids, vector checks and the reasons given for bad records.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "ops/ingest/point_converter.h"

namespace quiver::ops::ingest {
namespace {

RawBatch One(const std::string& text, uint64_t number = 1) {
  RawBatch b;
  b.data = text;
  RawRecord r;
  r.number = number;
  r.size = static_cast<uint32_t>(text.size());
  b.records.push_back(r);
  return b;
}

ConvertOptions Dims(size_t n) {
  ConvertOptions o;
  o.schema.known = true;
  o.schema.unnamed = n;
  return o;
}

base::Result<std::string> Json(const std::string& line, ConvertOptions o = Dims(3),
                               uint64_t number = 1) {
  auto c = MakeJsonConverter(o);
  RawBatch b = One(line, number);
  std::string out;
  base::Status st = c->Convert(b, b.records[0], out);
  if (!st.ok()) return st;
  return out;
}

TEST(Converters, JsonPassesValidRecordsThrough) {
  EXPECT_EQ(Json(R"({"id": 7, "vector": [1, 2.5, 3], "payload": {"a": [1, {"b": null}]}})").value(),
            R"({"id":7,"vector":[1, 2.5, 3],"payload":{"a": [1, {"b": null}]}})");
  EXPECT_EQ(
      Json(R"({"payload":null,"vector":[1,2,3],"id":"6BA7B811-9DAD-11D1-80B4-00C04FD430C8","x":1})")
          .value(),
      R"({"id":"6ba7b811-9dad-11d1-80b4-00c04fd430c8","vector":[1,2,3]})");
}

TEST(Converters, JsonNamedVectors) {
  ConvertOptions o;
  o.schema.known = true;
  o.schema.named = {{"text", 2}, {"image", 3}};
  // Sparse vectors ({indices, values}) pass through; the server checks them.
  EXPECT_EQ(Json(R"({"id":1,"vector":{"text":[1,2],"sparse":{"indices":[1],"values":[0.5]}}})", o)
                .value(),
            R"({"id":1,"vector":{"text":[1,2],"sparse":{"indices":[1],"values":[0.5]}}})");
  EXPECT_EQ(Json(R"({"id":1,"vector":{"other":[1,2]}})", o).status().message(),
            "Not existing vector name error: other");
  EXPECT_EQ(Json(R"({"id":1,"vector":{"image":[1,2]}})", o).status().message(),
            "Vector dimension error: expected dim: 3, got 2");
  o.vector_name = "text";
  EXPECT_EQ(Json(R"({"id":1,"vector":[1,2]})", o).value(), R"({"id":1,"vector":{"text":[1,2]}})");
}

TEST(Converters, JsonBadRecordsHaveReasons) {
  EXPECT_EQ(Json(R"({"id":1,"vector":[1,2]})").status().message(),
            "Vector dimension error: expected dim: 3, got 2");
  EXPECT_EQ(Json(R"({"id":-1,"vector":[1,2,3]})").status().message(),
            "bad id -1: point ids are unsigned integers or UUIDs");
  EXPECT_EQ(Json(R"({"id":1.5,"vector":[1,2,3]})").status().message(),
            "bad id 1.5: point ids are unsigned integers or UUIDs");
  EXPECT_EQ(Json(R"({"id":"abc","vector":[1,2,3]})").status().message(),
            "bad id `abc`: point ids are unsigned integers or UUIDs");
  EXPECT_EQ(Json(R"({"vector":[1,2,3]})").status().message(),
            "record has no id (derive one with --id line, --id field:NAME or --id uuid5:NAME)");
  EXPECT_EQ(Json(R"({"id":1})").status().message(), "record has no `vector`");
  EXPECT_EQ(Json(R"({"id":1,"vector":[1,"x",3]})").status().message(),
            "vector element 1 is not a finite number");
  EXPECT_EQ(Json(R"({"id":1,"vector":[1,2,3],"payload":[1]})").status().message(),
            "payload is not a JSON object");
  EXPECT_EQ(Json(R"([1,2])").status().message(), "record is not a JSON object");
  EXPECT_EQ(Json(R"({"id":1,"vector":[1,2,3]} {"id":2})").status().message(),
            "unexpected text after the JSON object");
  EXPECT_EQ(Json(R"({"id":1,"vector":[1,2,3]} x)").status().message(),
            "invalid JSON: the line does not end with the object's `}`");
  EXPECT_EQ(Json(R"({"id":1,"vector":[1,2,3)").status().code(), base::StatusCode::kFormat);
  EXPECT_EQ(Json("not json").status().code(), base::StatusCode::kFormat);
}

TEST(Converters, JsonDerivedIds) {
  ConvertOptions o = Dims(1);
  o.id = IdSpec::Parse("line").value();
  EXPECT_EQ(Json(R"({"id":5,"vector":[1]})", o, 42).value(), R"({"id":42,"vector":[1]})");
  o.id = IdSpec::Parse("uuid5:url").value();
  EXPECT_EQ(
      Json(R"({"vector":[1],"payload":{"url":"hello"}})", o).value(),
      R"({"id":"074171de-bc84-5ea4-b636-1135477620e1","vector":[1],"payload":{"url":"hello"}})");
  EXPECT_EQ(Json(R"({"vector":[1],"payload":{}})", o).status().message(),
            "payload field `url` (the id key) is missing");
}

TEST(Converters, UnknownSchemaSkipsDimensionChecks) {
  ConvertOptions o;
  EXPECT_TRUE(Json(R"({"id":1,"vector":[1,2,3,4,5]})", o).ok());
  EXPECT_TRUE(Json(R"({"id":1,"vector":[[1,2],[3,4]]})", Dims(2)).ok());  // a multivector
}

base::Result<std::string> Csv(const std::string& header, const std::string& row, ConvertOptions o) {
  auto schema = CsvSchema::FromHeader(header, ',', "id", "vector");
  EXPECT_TRUE(schema.ok()) << schema.status().message();
  auto c = MakeCsvConverter(schema.value(), o);
  RawBatch b = One(row, 2);
  std::string out;
  base::Status st = c->Convert(b, b.records[0], out);
  if (!st.ok()) return st;
  return out;
}

TEST(Converters, CsvTypedColumns) {
  std::string header = "id,vector,title,year:int,price:float,ok:bool,tags:json";
  EXPECT_EQ(
      Csv(header, R"(5,"[1,2]",Dune,1965,9.5,yes,"[""a"", ""b""]")", Dims(2)).value(),
      R"({"id":5,"vector":[1,2],"payload":{"title":"Dune","year":1965,"price":9.5,"ok":true,"tags":["a","b"]}})");
  EXPECT_EQ(Csv(header, R"(5,"[1,2]",,,,,)", Dims(2)).value(), R"({"id":5,"vector":[1,2]})");
  EXPECT_EQ(Csv(header, R"(5,"[1,2]",Dune,nineteen,,,)", Dims(2)).status().message(),
            "column year: `nineteen` is not an integer");
  EXPECT_EQ(Csv(header, R"(5,"[1,2]",Dune)", Dims(2)).status().message(),
            "expected 7 fields, got 3");
  EXPECT_EQ(Csv(header, R"(x,"[1,2]",,,,,)", Dims(2)).status().message(),
            "bad id `x`: point ids are unsigned integers or UUIDs");
}

TEST(Converters, CsvNumberedVectorColumns) {
  ConvertOptions o = Dims(3);
  EXPECT_EQ(Csv("id,vector_0,vector_1,vector_2", "1,0.5,-1,2e3", o).value(),
            R"({"id":1,"vector":[0.5,-1,2e3]})");
  EXPECT_EQ(Csv("id,vector_0,vector_1,vector_2", "1,0.5,,2", o).status().message(),
            "vector column vector_1 is not a finite number");
  o.id = IdSpec::Parse("line").value();
  o.vector_name = "v";
  EXPECT_EQ(Csv("vector_0,vector_1,vector_2", "1,2,3", Dims(3)).status().code(),
            base::StatusCode::kFormat);  // no id column and --id auto
  o.schema.unnamed.reset();
  o.schema.named["v"] = 3;
  EXPECT_EQ(Csv("vector_0,vector_1,vector_2", "1,2,3", o).value(),
            R"({"id":2,"vector":{"v":[1,2,3]}})");
}

TEST(Converters, DenseRows) {
  ConvertOptions o = Dims(2);
  auto c = MakeDenseConverter(DType::kF32, o);
  RawBatch b;
  float v[2] = {0.1f, -2.0f};
  b.data.assign(reinterpret_cast<char*>(v), 8);
  b.data += R"({"k":"hello"})";
  RawRecord r;
  r.number = 9;
  r.size = 8;
  r.payload_offset = 8;
  r.payload_size = 13;
  b.records.push_back(r);
  std::string out;
  ASSERT_TRUE(c->Convert(b, b.records[0], out).ok());
  EXPECT_EQ(out, R"({"id":9,"vector":[0.1,-2],"payload":{"k":"hello"}})");
  o.id = IdSpec::Parse("uuid5:k").value();
  out.clear();
  ASSERT_TRUE(MakeDenseConverter(DType::kF32, o)->Convert(b, b.records[0], out).ok());
  EXPECT_EQ(
      out,
      R"({"id":"074171de-bc84-5ea4-b636-1135477620e1","vector":[0.1,-2],"payload":{"k":"hello"}})");
  float nan = std::nanf("");
  std::memcpy(b.data.data() + 4, &nan, 4);
  out.clear();
  EXPECT_EQ(c->Convert(b, b.records[0], out).message(), "vector element 1 is not finite");
  b.records[0].missing_payload = true;
  EXPECT_EQ(c->Convert(b, b.records[0], out).message(),
            "the payload file has no line for this row");
  b.records[0].missing_payload = false;
  b.records[0].size = 12;
  EXPECT_EQ(MakeDenseConverter(DType::kF32, Dims(2))->Convert(b, b.records[0], out).message(),
            "Vector dimension error: expected dim: 2, got 3");
}

}  // namespace
}  // namespace quiver::ops::ingest
