#include "engine/collection/collection.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>

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

// Checkpoint files are written without the lock: writes that land meanwhile must stay dirty, so
// that the next checkpoint (which truncates the WAL past them) persists them.
TEST_F(CollectionTest, WritesDuringCheckpointFileWritesAreNotLost) {
  {
    auto c = Collection::Create(fs_, dir_ + "/c", "c", config_);
    ASSERT_TRUE(c.ok());
    Collection& coll = *c.value();
    ASSERT_TRUE(coll.Update(Points(0, 60000)).ok());  // a sealed and an appendable segment
    int hook_calls = 0;
    coll.SetCheckpointWriteHookForTest([&] {
      if (hook_calls++ > 0) return;
      ASSERT_TRUE(coll.Update(Points(60000, 60005)).ok());  // appendable segment
      ASSERT_TRUE(coll.Update(DeletePointsOp{{{PointId::Num(7)}, std::nullopt}}).ok());  // sealed
      SetPayloadOp set;
      set.selector.ids = {PointId::Num(60001)};
      set.payload = Value(Object{{"tag", Value("during")}});
      ASSERT_TRUE(coll.Update(set).ok());
    });
    ASSERT_TRUE(coll.Checkpoint().ok());
    ASSERT_TRUE(coll.Checkpoint().ok());  // covers the hook's writes and truncates the WAL
    EXPECT_EQ(hook_calls, 2);
  }
  auto c = Collection::Open(fs_, dir_ + "/c", "c");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value()->Count(std::nullopt).value(), 60004u);
  auto rec = c.value()->Retrieve({PointId::Num(7), PointId::Num(60001), PointId::Num(60004)},
                                 {PayloadSelector::Mode::kAll, {}}, {});
  ASSERT_EQ(rec.value().size(), 2u);
  EXPECT_EQ(*rec.value()[0].payload->Find("tag"), Value("during"));
  EXPECT_EQ(rec.value()[1].id, PointId::Num(60004));
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
    // Qdrant answers 400 (bad input), not 409, for a collection named like an existing alias.
    EXPECT_EQ(cat.value()->CreateCollection("library", config_).code(),
              base::StatusCode::kBadInput);
    EXPECT_EQ(cat.value()->CreateCollection("tab\tname", config_).code(),
              base::StatusCode::kValidation);
    ASSERT_TRUE(cat.value()->Close().ok());
  }
  auto cat = Catalog::Open(fs_, dir_);
  ASSERT_TRUE(cat.ok()) << cat.status().message();
  EXPECT_TRUE(cat.value()->Get("library").ok());
  EXPECT_TRUE(cat.value()->DeleteCollection("books").value());
  EXPECT_FALSE(cat.value()->Get("library").ok());
  EXPECT_FALSE(cat.value()->DeleteCollection("books").value());
}

TEST_F(CollectionTest, OptimizerIndexesSealedSegmentsAndSearchStaysRight) {
  // Segments of 96 KB (6,144 points of 4 floats); the sealed ones (96 KB) pass the 64 KB indexing
  // threshold, the 1,856-point appendable rest (29 KB) does not.
  config_.optimizer_config.max_segment_size = 96;
  config_.optimizer_config.indexing_threshold = 64;
  config_.vectors[""].distance = Distance::kEuclid;
  std::mt19937 rng(1);
  std::normal_distribution<float> g(0, 1);
  auto make = [&](int from, int to) {
    UpsertOp op;
    for (int i = from; i < to; ++i) {
      PointStruct p;
      p.id = PointId::Num(i);
      int cluster = i % 20;
      p.vectors[""] = {cluster + 0.1f * g(rng), -cluster + 0.1f * g(rng), 0.1f * g(rng), 1};
      Value payload{Object{}};
      payload.Set("group", Value("g" + std::to_string(i % 50)));
      p.payload = payload;
      op.points.push_back(p);
    }
    return op;
  };
  {
    auto c = Collection::Create(fs_, dir_ + "/c", "c", config_);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c.value()->Update(make(0, 8000)).ok());
    ASSERT_TRUE(c.value()->CreatePayloadIndex("group", {"keyword", ""}).ok());
    EXPECT_TRUE(c.value()->OptimizationPending());
    ASSERT_TRUE(c.value()->Update(DeletePointsOp{{{PointId::Num(7)}, std::nullopt}}).ok());
    EXPECT_TRUE(c.value()->OptimizeStep(2));
    EXPECT_FALSE(c.value()->OptimizationPending());
    EXPECT_FALSE(c.value()->OptimizeStep(2));
    EXPECT_GT(c.value()->Info().indexed_vectors_count, 6000u);
    // A delete after indexing is masked; graph and exact search agree on clustered data.
    ASSERT_TRUE(c.value()->Update(DeletePointsOp{{{PointId::Num(27)}, std::nullopt}}).ok());
    size_t agree = 0, total = 0;
    for (int q = 0; q < 20; ++q) {
      SearchRequest req;
      req.vector = {q + 0.05f, -q - 0.05f, 0, 1};
      req.limit = 10;
      auto approx = c.value()->Search(req);
      req.exact = true;
      auto exact = c.value()->Search(req);
      ASSERT_TRUE(approx.ok() && exact.ok());
      std::set<PointId> truth;
      for (const auto& r : exact.value()) truth.insert(r.id);
      for (const auto& r : approx.value()) {
        EXPECT_NE(r.id, PointId::Num(7));
        EXPECT_NE(r.id, PointId::Num(27));
        agree += truth.count(r.id);
      }
      total += exact.value().size();
    }
    EXPECT_GE(double(agree) / double(total), 0.95);
    // A 2% filter answered from the keyword index gives exactly the exact-search answer.
    SearchRequest req;
    req.vector = {3, -3, 0, 1};
    req.limit = 10;
    Filter f;
    FieldCondition fc;
    fc.key = "group";
    fc.cond = MatchValue{Value("g7")};
    f.must.push_back(Condition{fc});
    req.filter = f;
    req.with_payload.mode = PayloadSelector::Mode::kAll;
    auto filtered = c.value()->Search(req);
    req.exact = true;
    auto filtered_exact = c.value()->Search(req);
    ASSERT_TRUE(filtered.ok() && filtered_exact.ok());
    ASSERT_EQ(filtered.value().size(), 10u);
    for (size_t i = 0; i < 10; ++i) {
      EXPECT_EQ(*filtered.value()[i].payload->Find("group"), Value("g7"));
      EXPECT_EQ(filtered.value()[i].id, filtered_exact.value()[i].id);
    }
    ASSERT_TRUE(c.value()->Checkpoint().ok());
  }
  // The graph is persisted and loaded back, not rebuilt.
  auto c = Collection::Open(fs_, dir_ + "/c", "c");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c.value()->OptimizationPending());
  EXPECT_GT(c.value()->Info().indexed_vectors_count, 6000u);
  EXPECT_EQ(c.value()->Count(std::nullopt).value(), 7998u);
}

// A filter that one keyword index answers exactly searches the graph with the index's own list and
// cached mask (no per-query copy): the answer must match exact search and skip deleted points.
TEST_F(CollectionTest, LargeIndexedFilterWalksTheGraphWithTheIndexMask) {
  config_.optimizer_config.max_segment_size = 96;  // 6,144 points of 4 floats per segment
  config_.optimizer_config.indexing_threshold = 64;
  config_.hnsw_config.full_scan_threshold = 1;  // KB: a 50% filter takes the graph path
  config_.vectors[""].distance = Distance::kEuclid;
  auto c = Collection::Create(fs_, dir_ + "/c", "c", config_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.value()->CreatePayloadIndex("half", {"keyword", ""}).ok());
  std::mt19937 rng(3);
  std::normal_distribution<float> g(0, 1);
  UpsertOp op;
  for (int i = 0; i < 8000; ++i) {
    PointStruct p;
    p.id = PointId::Num(i);
    const int cluster = i % 20;
    p.vectors[""] = {cluster + 0.1f * g(rng), -cluster + 0.1f * g(rng), 0.1f * g(rng), 1};
    Value payload{Object{}};
    payload.Set("half", Value(i % 2 ? "odd" : "even"));
    p.payload = payload;
    op.points.push_back(p);
  }
  ASSERT_TRUE(c.value()->Update(op).ok());
  while (c.value()->OptimizeStep(2)) {
  }
  ASSERT_GT(c.value()->Info().indexed_vectors_count, 6000u);
  // Deleted after indexing: still in the index's list and mask, never in a result.
  DeletePointsOp del;
  for (int i = 1; i < 8000; i += 10) del.selector.ids.push_back(PointId::Num(i));
  ASSERT_TRUE(c.value()->Update(del).ok());
  auto filter_for = [](const char* value) {
    Filter f;
    FieldCondition fc;
    fc.key = "half";
    fc.cond = MatchValue{Value(value)};
    f.must.push_back(Condition{fc});
    return f;
  };
  size_t agree = 0, total = 0;
  for (int q = 0; q < 20; ++q) {  // the mask is built by the first query and reused after
    SearchRequest req;
    req.vector = {q + 0.05f, -q - 0.05f, 0, 1};
    req.limit = 10;
    req.filter = filter_for("odd");
    SearchStats stats;
    req.stats = &stats;
    auto approx = c.value()->Search(req);
    ASSERT_TRUE(approx.ok());
    EXPECT_TRUE(stats.used_graph);
    req.exact = true;
    auto exact = c.value()->Search(req);
    ASSERT_TRUE(exact.ok());
    std::set<PointId> truth;
    for (const auto& r : exact.value()) truth.insert(r.id);
    for (const auto& r : approx.value()) {
      ASSERT_TRUE(r.id.lo % 2 == 1 && r.id.lo % 10 != 1) << r.id.lo;
      agree += truth.count(r.id);
    }
    total += exact.value().size();
  }
  EXPECT_EQ(total, 200u);
  EXPECT_GE(double(agree) / double(total), 0.95);
  SearchRequest none;
  none.vector = {1, -1, 0, 1};
  none.limit = 5;
  none.filter = filter_for("neither");
  auto empty = c.value()->Search(none);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value().empty());
}

// Writers, readers, the optimizer and checkpoints at the same time: every search must succeed and
// return live points only, and the final state must hold every write.
TEST_F(CollectionTest, ConcurrentWritesSearchesOptimizationAndCheckpoints) {
  config_.optimizer_config.indexing_threshold = 1;  // KB: every sealed segment gets a graph
  config_.optimizer_config.max_segment_size = 64;   // KB: 4,096 points per segment
  auto created = Collection::Create(fs_, dir_ + "/c", "c", config_);
  ASSERT_TRUE(created.ok());
  std::shared_ptr<Collection> c = std::move(created.value());
  ASSERT_TRUE(c->CreatePayloadIndex("n", {"integer", ""}).ok());
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::thread writer([&] {
    for (int round = 0; round < 6; ++round) {
      if (!c->Update(Points(round * 5000, (round + 1) * 5000)).ok()) ++failures;
      // Rewrites and deletes of points that may sit in sealed segments being optimized.
      if (!c->Update(Points(round * 1000, round * 1000 + 300)).ok()) ++failures;
      if (!c->Update(DeletePointsOp{{{PointId::Num(round * 7)}, std::nullopt}}).ok()) ++failures;
    }
    done = true;
  });
  std::thread optimizer([&] {
    while (!done) {
      if (!c->OptimizeStep(1)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  std::thread checkpointer([&] {
    while (!done) {
      if (!c->Checkpoint().ok()) ++failures;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  int searches = 0;
  while (!done) {
    SearchRequest req;
    req.vector = {float(searches % 1000), 1, 0, 0};
    req.limit = 5;
    if (searches % 2) {
      Filter f;
      FieldCondition fc;
      fc.key = "n";
      fc.cond = RangeCondition{std::nullopt, std::nullopt, 100.0, 20000.0, false};
      f.must.push_back(Condition{fc});
      req.filter = f;
    }
    auto r = c->Search(req);
    if (!r.ok()) ++failures;
    ++searches;
  }
  writer.join();
  optimizer.join();
  checkpointer.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(searches, 0);
  while (c->OptimizeStep(1)) {
  }
  EXPECT_EQ(c->Count(std::nullopt).value(), 30000u - 6u);  // ids 0, 7, ..., 35 deleted
  ASSERT_TRUE(c->Checkpoint().ok());
  c.reset();
  auto reopened = Collection::Open(fs_, dir_ + "/c", "c");
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  EXPECT_EQ(reopened.value()->Count(std::nullopt).value(), 30000u - 6u);
}

}  // namespace
}  // namespace quiver::engine
