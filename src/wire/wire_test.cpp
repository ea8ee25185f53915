#include <gtest/gtest.h>

#include "wire/collections_wire.h"
#include "wire/points_wire.h"
#include "wire/query_wire.h"

namespace quiver::wire {

TEST(WireTest, CreateCollectionSingleAndNamed) {
  engine::CollectionConfig defaults;
  auto single = ParseCreateCollection(R"({"vectors":{"size":4,"distance":"Dot"}})", defaults);
  ASSERT_TRUE(single.ok()) << single.status().message();
  EXPECT_TRUE(single.value().single_vector);
  EXPECT_EQ(single.value().vectors.at("").size, 4u);
  auto named = ParseCreateCollection(
      R"({"vectors":{"img":{"size":2,"distance":"Euclid"},"txt":{"size":3,"distance":"Cosine"}},
          "hnsw_config":{"m":32},"optimizers_config":{"indexing_threshold":0}})",
      defaults);
  ASSERT_TRUE(named.ok()) << named.status().message();
  EXPECT_FALSE(named.value().single_vector);
  EXPECT_EQ(named.value().hnsw_config.m, 32u);
  EXPECT_EQ(named.value().optimizer_config.indexing_threshold.value(), 0u);
}

TEST(WireTest, CreateCollectionErrors) {
  engine::CollectionConfig d;
  EXPECT_EQ(ParseCreateCollection("{", d).status().code(), base::StatusCode::kFormat);
  EXPECT_EQ(ParseCreateCollection(R"({"vectors":{"size":0,"distance":"Dot"}})", d).status().code(),
            base::StatusCode::kFormat);  // Qdrant: a nonzero type, so a parse error
  EXPECT_EQ(
      ParseCreateCollection(R"({"vectors":{"size":65537,"distance":"Dot"}})", d).status().code(),
      base::StatusCode::kValidation);
  EXPECT_EQ(ParseCreateCollection(R"({"vectors":{"size":4,"distance":"L2"}})", d).status().code(),
            base::StatusCode::kFormat);
  EXPECT_EQ(
      ParseCreateCollection(R"({"vectors":{"size":"4","distance":"Dot"}})", d).status().code(),
      base::StatusCode::kFormat);
}

// optimizer_status is "ok", or {"error": ...} when an optimization failed (Qdrant's two forms).
TEST(WireTest, CollectionInfoOptimizerStatus) {
  engine::CollectionInfo info;
  info.config.vectors[""].size = 4;
  EXPECT_NE(RenderCollectionInfo(info, "green").find(R"("optimizer_status":"ok")"),
            std::string::npos);
  info.optimizer_error = "cannot read \"x\"";
  std::string red = RenderCollectionInfo(info, "red");
  EXPECT_NE(red.find(R"("status":"red","optimizer_status":{"error":"cannot read \"x\""})"),
            std::string::npos)
      << red;
}

TEST(WireTest, CreateIndexChecksTextParams) {
  auto good = ParseCreateIndex(
      R"({"field_name":"t","field_schema":{"type":"text","tokenizer":"prefix","min_token_len":2,
          "max_token_len":10,"lowercase":true,"stopwords":{"languages":["english"],"custom":["x"]},
          "stemmer":{"type":"snowball","language":"english"},"on_disk":null}})");
  ASSERT_TRUE(good.ok()) << good.status().message();
  EXPECT_EQ(good.value().params.type, "text");
  EXPECT_TRUE(ParseCreateIndex(R"({"field_name":"t","field_schema":{"type":"text",
      "stopwords":"english","stemmer":{"type":"none"}}})")
                  .ok());
  for (const char* bad : {
           R"({"field_name":"t","field_schema":{"type":"text","tokenizer":"ngram"}})",
           R"({"field_name":"t","field_schema":{"type":"text","min_token_len":-1}})",
           R"({"field_name":"t","field_schema":{"type":"text","max_token_len":"5"}})",
           R"({"field_name":"t","field_schema":{"type":"text","lowercase":"yes"}})",
           R"({"field_name":"t","field_schema":{"type":"text","stopwords":"klingon"}})",
           R"({"field_name":"t","field_schema":{"type":"text","stopwords":{"custom":[1]}}})",
           R"({"field_name":"t","field_schema":{"type":"text","stemmer":{"type":"snowball"}}})",
           R"({"field_name":"k","field_schema":{"type":"keyword","is_tenant":1}})",
           R"({"field_name":"k","field_schema":{"type":"integer","memory":"hot"}})",
       }) {
    auto r = ParseCreateIndex(bad);
    EXPECT_EQ(r.status().code(), base::StatusCode::kFormat) << bad;
  }
}

TEST(WireTest, UpsertListAndBatchForms) {
  auto list = ParseUpsert(R"({"points":[{"id":1,"vector":[1,2],"payload":{"a":1}},
                                        {"id":"550e8400-e29b-41d4-a716-446655440000","vector":{"v":[3]}}]})");
  ASSERT_TRUE(list.ok()) << list.status().message();
  auto& op = std::get<engine::UpsertOp>(list.value());
  ASSERT_EQ(op.points.size(), 2u);
  EXPECT_TRUE(op.points[1].id.is_uuid);
  EXPECT_EQ(op.points[1].vectors.at("v")[0], 3.0f);
  auto batch =
      ParseUpsert(R"({"batch":{"ids":[1,2],"vectors":[[1],[2]],"payloads":[{"x":1},null]}})");
  ASSERT_TRUE(batch.ok()) << batch.status().message();
  EXPECT_EQ(std::get<engine::UpsertOp>(batch.value()).points[1].vectors.at("")[0], 2.0f);
  auto numeric_string = ParseUpsert(R"({"points":[{"id":"42","vector":[1]}]})");
  ASSERT_FALSE(numeric_string.ok());
  EXPECT_NE(numeric_string.status().message().find("is not a valid point ID"), std::string::npos);
}

TEST(WireTest, QueryForms) {
  auto by_vector = ParseQuery(R"({"query":[0.1,0.2],"limit":3,"with_payload":true})");
  ASSERT_TRUE(by_vector.ok());
  EXPECT_EQ(by_vector.value().kind, engine::QueryRequest::Kind::kNearest);
  EXPECT_EQ(by_vector.value().limit, 3u);
  auto by_id = ParseQuery(R"({"query":7,"using":"img"})");
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(*by_id.value().nearest.id, engine::PointId::Num(7));
  auto legacy = ParseSearch(R"({"vector":[1,2],"top":5})");
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(legacy.value().limit, 5u);
  EXPECT_EQ(ParseQuery(R"({"query":[1],"limit":0})").status().code(),
            base::StatusCode::kValidation);
}

}  // namespace quiver::wire
