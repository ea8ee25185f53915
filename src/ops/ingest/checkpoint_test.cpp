// Checkpoint files, the reject file on resume, and collection admin parsing.
#include "ops/ingest/checkpoint.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "ops/ingest/collection_admin.h"
#include "ops/ingest/reject_log.h"

namespace quiver::ops::ingest {
namespace {

std::string TempPath(const std::string& name) {
  return testing::TempDir() + "/ckpt_" + std::to_string(getpid()) + "_" + name;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Checkpoint, RoundTripsAndDetectsOtherLoads) {
  Checkpoint c;
  c.source = "/data/x.jsonl";
  c.source_size = 1234;
  c.format = "jsonl";
  c.id_spec = "uuid5:url";
  c.collection = "books";
  c.totals = {100, 97, 3};
  c.position.records = 101;
  c.position.offset = 5000;
  c.position.scroll_offset = "\"6ba7b811-9dad-11d1-80b4-00c04fd430c8\"";
  c.bulk_active = true;
  c.original_indexing_threshold = 20000;
  std::string path = TempPath("c.json");
  ASSERT_TRUE(SaveCheckpoint(path, c).ok());
  auto loaded = LoadCheckpoint(path);
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded.value().has_value());
  const Checkpoint& d = *loaded.value();
  EXPECT_EQ(d.ToJson(), c.ToJson());
  EXPECT_EQ(d.Mismatch(c), "");
  Checkpoint other = c;
  other.collection = "films";
  EXPECT_EQ(d.Mismatch(other), "it is for collection books");
  other = c;
  other.source_size = 99;
  EXPECT_EQ(d.Mismatch(other), "the input's size changed");
  EXPECT_FALSE(LoadCheckpoint(TempPath("missing.json")).value().has_value());
  std::ofstream(TempPath("bad.json")) << "{\"version\":1,";
  EXPECT_EQ(LoadCheckpoint(TempPath("bad.json")).status().code(), base::StatusCode::kFormat);
}

TEST(RejectLog, ResumeKeepsOnlyEntriesBeforeTheCheckpoint) {
  std::string path = TempPath("rejects.jsonl");
  {
    auto log = RejectLog::Open(path, 0).value();
    ASSERT_TRUE(log->Add(3, "bad id", "{\"id\":-1}").ok());
    ASSERT_TRUE(log->Add(9, "Vector dimension error", "{\"x\":\"\xff\"}").ok());
    ASSERT_TRUE(log->Add(20, "late", "").ok());
  }
  std::string text = ReadAll(path);
  EXPECT_NE(text.find(R"({"line":3,"reason":"bad id","record":"{\"id\":-1}"})"), std::string::npos);
  EXPECT_NE(text.find(R"("record":"{\"x\":\"?\"}")"), std::string::npos);  // invalid UTF-8
  std::ofstream(path, std::ios::app) << "{\"line\":25,\"rea";              // a torn last line
  {
    auto log = RejectLog::Open(path, 10).value();  // resuming at record 10
    ASSERT_TRUE(log->Add(12, "again", "x").ok());
  }
  text = ReadAll(path);
  EXPECT_NE(text.find("\"line\":3,"), std::string::npos);
  EXPECT_NE(text.find("\"line\":9,"), std::string::npos);
  EXPECT_EQ(text.find("\"line\":20,"), std::string::npos);
  EXPECT_EQ(text.find("\"line\":25"), std::string::npos);
  EXPECT_NE(text.find("\"line\":12,"), std::string::npos);
  auto fresh = RejectLog::Open(path, 0).value();  // a new load replaces the file
  EXPECT_EQ(ReadAll(path), "");
}

TEST(CollectionAdmin, CreateSpecs) {
  size_t size = 0;
  EXPECT_EQ(CreateBodyFromSpec("size=384,distance=cosine", &size).value(),
            R"({"vectors":{"size":384,"distance":"Cosine"}})");
  EXPECT_EQ(size, 384u);
  EXPECT_EQ(
      CreateBodyFromSpec("size=4,distance=Dot,on_disk=true,name=text,m=0,shard_number=2", &size)
          .value(),
      R"({"vectors":{"text":{"size":4,"on_disk":true,"distance":"Dot"}},"hnsw_config":{"m":0},"shard_number":2})");
  EXPECT_FALSE(CreateBodyFromSpec("distance=Cosine", &size).ok());
  EXPECT_FALSE(CreateBodyFromSpec("size=4,distance=hamming", &size).ok());
  EXPECT_FALSE(CreateBodyFromSpec("size=4,colour=red", &size).ok());
  EXPECT_FALSE(CreateBodyFromSpec("size=four", &size).ok());
}

TEST(CollectionAdmin, IndexSpecs) {
  EXPECT_EQ(ParseIndexSpec("genre:keyword").value(),
            std::make_pair(std::string("genre"), std::string("\"keyword\"")));
  EXPECT_EQ(ParseIndexSpec(R"(body:{"type":"text"})").value().second, R"({"type":"text"})");
  EXPECT_FALSE(ParseIndexSpec("genre").ok());
  EXPECT_FALSE(ParseIndexSpec("genre:colour").ok());
  EXPECT_EQ(EncodePathSegment("a b/c"), "a%20b%2Fc");
}

TEST(CollectionAdmin, ParsesCollectionInfo) {
  auto s = ParseCollectionInfo(R"({"result":{"status":"yellow","points_count":5,
      "config":{"params":{"vectors":{"size":4,"distance":"Cosine"}},
                "optimizer_config":{"indexing_threshold":20000}},
      "payload_schema":{"genre":{"data_type":"keyword","points":5}}},"status":"ok"})");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s.value().status, "yellow");
  EXPECT_EQ(s.value().schema.unnamed.value(), 4u);
  EXPECT_EQ(s.value().indexing_threshold.value(), 20000u);
  EXPECT_EQ(s.value().payload_indexes.size(), 1u);
  auto named = ParseCollectionInfo(R"({"result":{"status":"green","config":{"params":{
      "vectors":{"a":{"size":2,"distance":"Dot"},"b":{"size":3,"distance":"Dot"}}},
      "optimizer_config":{"indexing_threshold":null}}}})");
  ASSERT_TRUE(named.ok());
  EXPECT_FALSE(named.value().schema.unnamed.has_value());
  EXPECT_EQ(named.value().schema.named.at("b"), 3u);
  EXPECT_FALSE(named.value().indexing_threshold.has_value());
  EXPECT_TRUE(named.value().schema.Check("b", 3).ok());
  EXPECT_EQ(named.value().schema.Check("", 3).code(), base::StatusCode::kBadInput);
}

}  // namespace
}  // namespace quiver::ops::ingest
