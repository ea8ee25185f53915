#include "engine/collection/collection.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <random>

#include "engine/collection/catalog.h"
#include "engine/collection/query.h"

namespace quiver::engine {
namespace {

class CollectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/quiver-coll-XXXXXX";
    dir_ = mkdtemp(tmpl);
    config_.vectors[""] = VectorParams{};
    config_.vectors[""].size = 4;
    config_.vectors[""].distance = Distance::kDot;
  }
  void TearDown() override { (void)base::FileSystem::Default()->RemoveAll(dir_); }

  UpsertOp Points(int from, int to) {
    UpsertOp op;
    for (int i = from; i < to; ++i) {
      PointStruct p;
      p.id = PointId::Num(i);
      p.vectors[""] = {float(i), 1, 0, 0};
      Value payload{Object{}};
      payload.Set("n", Value(i));
      p.payload = payload;
      op.points.push_back(p);
    }
    return op;
  }

  std::string dir_;
  CollectionConfig config_;
  base::FileSystem* fs_ = base::FileSystem::Default();
};

TEST_F(CollectionTest, UpsertSearchDeleteAndRecoverFromWal) {
  {
    auto c = Collection::Create(fs_, dir_ + "/c", "c", config_);
    ASSERT_TRUE(c.ok()) << c.status().message();
    ASSERT_TRUE(c.value()->Update(Points(0, 100)).ok());
    ASSERT_TRUE(c.value()->Update(DeletePointsOp{{{PointId::Num(99)}, std::nullopt}}).ok());
    SearchRequest req;
    req.vector = {1, 0, 0, 0};
    req.limit = 3;
    auto res = c.value()->Search(req);
    ASSERT_TRUE(res.ok());
    ASSERT_EQ(res.value().size(), 3u);
    EXPECT_EQ(res.value()[0].id, PointId::Num(98));  // highest dot product, 99 is deleted
    EXPECT_FLOAT_EQ(res.value()[0].score, 98.0f);
    // No checkpoint: the reopen below must replay the WAL.
  }
  auto c = Collection::Open(fs_, dir_ + "/c", "c");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value()->Count(std::nullopt).value(), 99u);
  auto rec = c.value()->Retrieve({PointId::Num(5)}, {PayloadSelector::Mode::kAll, {}}, {true, {}});
  ASSERT_EQ(rec.value().size(), 1u);
  EXPECT_EQ(*rec.value()[0].payload->Find("n"), Value(5));
  EXPECT_EQ(rec.value()[0].vectors->at("")[0], 5.0f);
}

TEST_F(CollectionTest, CheckpointThenMoreWritesThenReopen) {
  {
    auto c = Collection::Create(fs_, dir_ + "/c", "c", config_);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c.value()->Update(Points(0, 60000)).ok());  // spans two segments
    ASSERT_TRUE(c.value()->Checkpoint().ok());
    SetPayloadOp set;
    set.selector.ids = {PointId::Num(3)};
    set.payload = Value(Object{{"tag", Value("x")}});
    ASSERT_TRUE(c.value()->Update(set).ok());  // moves point 3 out of the sealed segment
    ASSERT_TRUE(c.value()->Update(DeletePointsOp{{{PointId::Num(4)}, std::nullopt}}).ok());
    ASSERT_TRUE(c.value()->Checkpoint().ok());
    ASSERT_TRUE(c.value()->Update(Points(60000, 60010)).ok());
  }
  auto c = Collection::Open(fs_, dir_ + "/c", "c");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value()->Count(std::nullopt).value(), 60009u);
  auto rec = c.value()->Retrieve({PointId::Num(3), PointId::Num(4)},
                                 {PayloadSelector::Mode::kAll, {}}, {});
  ASSERT_EQ(rec.value().size(), 1u);
  EXPECT_EQ(*rec.value()[0].payload->Find("tag"), Value("x"));
  EXPECT_EQ(*rec.value()[0].payload->Find("n"), Value(3));
}

TEST_F(CollectionTest, WrongDimensionIsRejectedAndNothingIsWritten) {
  auto c = Collection::Create(fs_, dir_ + "/c", "c", config_);
  ASSERT_TRUE(c.ok());
  UpsertOp op = Points(0, 2);
  op.points[1].vectors[""] = {1, 2, 3};
  auto r = c.value()->Update(op);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Vector dimension error: expected dim: 4, got 3");
  EXPECT_EQ(c.value()->Count(std::nullopt).value(), 0u);
}

TEST_F(CollectionTest, CatalogAliasesSurviveReopen) {
  {
    auto cat = Catalog::Open(fs_, dir_);
    ASSERT_TRUE(cat.ok());
    ASSERT_TRUE(cat.value()->CreateCollection("books/../x", config_).code() ==
                base::StatusCode::kValidation);
    ASSERT_TRUE(cat.value()->CreateCollection("books", config_).ok());
    EXPECT_EQ(cat.value()->CreateCollection("books", config_).code(),
              base::StatusCode::kAlreadyExists);
    AliasAction a;
    a.collection_name = "books";
    a.alias_name = "library";
    ASSERT_TRUE(cat.value()->UpdateAliases({a}).ok());
    ASSERT_TRUE(cat.value()->Close().ok());
  }
  auto cat = Catalog::Open(fs_, dir_);
  ASSERT_TRUE(cat.ok()) << cat.status().message();
  EXPECT_TRUE(cat.value()->Get("library").ok());
  EXPECT_TRUE(cat.value()->DeleteCollection("books").value());
  EXPECT_FALSE(cat.value()->Get("library").ok());
  EXPECT_FALSE(cat.value()->DeleteCollection("books").value());
}

}  // namespace
}  // namespace quiver::engine
