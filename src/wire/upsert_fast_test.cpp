// The On-Demand upsert fast path against the DOM parser: it must take the common bodies, give the
// same operation (compared as WAL bytes), and leave everything else to the DOM parser.
#include "wire/upsert_fast.h"

#include <gtest/gtest.h>

#include "wire/json_in.h"
#include "wire/points_json.h"
#include "wire/points_wire.h"

namespace quiver::wire {
namespace {

std::string DomEncoded(std::string_view body) {
  auto doc = ParseBody(body);
  if (!doc.ok()) return "error: " + doc.status().message();
  auto op = UpsertFromJson(doc.value(), "");
  if (!op.ok()) return "error: " + op.status().message();
  return engine::EncodeOperation(op.value());
}

TEST(UpsertFastTest, TakesCommonBodiesWithTheDomResult) {
  const char* bodies[] = {
      R"({"points":[]})",
      R"({"points":[{"id":1,"vector":[0.5,-1,2e-3,3]}]})",
      R"( {"points":[{"id":"550e8400-e29b-41d4-a716-446655440000","vector":[1,2],"payload":null}]} )",
      R"({"points":[{"payload":{"a":1,"b":-2,"c":1.5,"d":"x\u00e9\n","e":true,"f":null,"g":[1,"2",[3]],
          "h":{"i":{"j":18446744073709551615}},"a":"dup"},"vector":[1],"id":18446744073709551615}]})",
      R"({"points":[{"id":7,"vector":{"img":[1,2],"txt":[3]}},{"id":8,"vector":{}}]})",
  };
  for (const char* body : bodies) {
    auto fast = TryParseUpsertFast(body);
    ASSERT_TRUE(fast.has_value()) << body;
    EXPECT_EQ(engine::EncodeOperation(*fast), DomEncoded(body)) << body;
    auto via_api = ParseUpsert(body);
    ASSERT_TRUE(via_api.ok());
    EXPECT_EQ(engine::EncodeOperation(via_api.value()), DomEncoded(body));
  }
}

TEST(UpsertFastTest, LeavesEverythingElseToTheDomParser) {
  const char* bodies[] = {
      R"({"points":[{"id":1,"vector":[1]}]} trailing)",
      R"({"points":[{"id":1,"vector":[1]}]}})",
      R"({"points":[{"id":1,"vector":[1]}])",
      R"({"points":[{"id":1,"vector":[1]}],"points":[]})",
      R"({"points":[{"id":1,"vector":[1]}],"update_mode":"insert_only"})",
      R"({"batch":{"ids":[1],"vectors":[[1]]}})",
      R"({"points":[{"id":-1,"vector":[1]}]})",
      R"({"points":[{"id":1.5,"vector":[1]}]})",
      R"({"points":[{"id":"12","vector":[1]}]})",
      R"({"points":[{"id":1,"vector":[1,"2"]}]})",
      R"({"points":[{"id":1,"vector":[1e999]}]})",
      R"({"points":[{"id":1,"vector":[[1,2]]}]})",
      R"({"points":[{"id":1,"vectors":[1]}]})",
      R"({"points":[{"id":1}]})",
      R"({"points":[{"vector":[1]}]})",
      R"({"points":[{"id":1,"id":2,"vector":[1]}]})",
      R"({"points":[{"id":1,"vector":[1],"payload":[1]}]})",
      R"({"points":[{"id":1,"vector":{"a":[1],"a":[2]}}]})",
      R"({"points":[{"id":1,"vector":{"a":{"indices":[1],"values":[1]}}}]})",
      R"({"points":[{"id":1,"vector":[1],"payload":{"a":123456789012345678901234567890}}]})",
      R"({"points":[{"id":1,"vector":[1],"payload":{"a":"\ud800"}}]})",
      "{\"points\":[{\"id\":1,\"vector\":[1],\"payload\":{\"a\":\"\xff\"}}]}",
      R"({"points":[{"id":1,"vector":[1],"extra":0}]})",
      R"({"points":[{"id":1,"vector":[1],"payload":{"a":5555555555555555555555555555555551.25}}]})",
      R"({"points":[{"id":1,"vector":[0.12345678901234567890123]}]})",
      R"({"points":[{"id":1,"vector":[777777777777777777777777777777,0.3]}]})",  // past 64 bits
      R"({"points":[{"id":1,"vector":[18446744073709551616]}]})",                // 2^64
      R"([{"id":1,"vector":[1]}])",
      R"({"points":{}})",
      "",
  };
  for (const char* body : bodies) {
    EXPECT_FALSE(TryParseUpsertFast(body).has_value()) << body;
  }
}

TEST(UpsertFastTest, DeepPayloadsGoToTheDomParser) {
  std::string deep = R"({"points":[{"id":1,"vector":[1],"payload":{"a":)";
  for (int i = 0; i < 200; ++i) deep += "[";
  for (int i = 0; i < 200; ++i) deep += "]";
  deep += "}}]}";
  EXPECT_FALSE(TryParseUpsertFast(deep).has_value());
  EXPECT_FALSE(ParseUpsert(deep).ok());  // over service.max_json_depth (default 64)
}

}  // namespace
}  // namespace quiver::wire
