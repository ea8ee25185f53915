// The merge optimizer: many small segments end as at most default_segment_number, with every
// point, payload and version kept, writes during the merge kept, graphs that keep recall, and the
// result persisted by checkpoints (or lost harmlessly on a crash before one).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <set>
#include <thread>

#include "engine/collection/collection.h"

namespace quiver::engine {
namespace {

class CollectionMergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/quiver-merge-XXXXXX";
    dir_ = mkdtemp(tmpl);
    config_.vectors[""] = VectorParams{};
    config_.vectors[""].size = 8;
    config_.vectors[""].distance = Distance::kCosine;
    // 32 bytes per point: segments of 16 KB = 512 points; each is indexed (threshold 8 KB); no
    // merging yet (a target of 1,000 segments).
    config_.optimizer_config.max_segment_size = 16;
    config_.optimizer_config.indexing_threshold = 8;
    config_.optimizer_config.default_segment_number = 1000;
  }
  void TearDown() override { (void)base::FileSystem::Default()->RemoveAll(dir_); }

  // Clustered points (40 centres), never noise; payload {"n": i, "tag": tag}.
  UpsertOp Points(int from, int to, const std::string& tag) {
    UpsertOp op;
    for (int i = from; i < to; ++i) {
      std::mt19937 rng(i);
      std::normal_distribution<float> g(0, 1);
      std::mt19937 crng(i % 40);
      PointStruct p;
      p.id = PointId::Num(i);
      std::vector<float> v(8);
      for (auto& x : v) x = std::normal_distribution<float>(0, 1)(crng) + 0.15f * g(rng);
      p.vectors[""] = v;
      Value payload{Object{}};
      payload.Set("n", Value(i));
      payload.Set("tag", Value(tag));
      p.payload = payload;
      op.points.push_back(p);
    }
    return op;
  }

  // Runs the optimizer until it has nothing left; merges start only once writes have paused for
  // a second, so this waits for them (up to 5 s with nothing to do).
  void RunOptimizer(Collection& c) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (int steps = 0; steps < 1000; ++steps) {
      if (c.OptimizeStep(2)) continue;
      if (!c.OptimizationPending() || std::chrono::steady_clock::now() > deadline) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  // Recall@10 of the default search against exact search over 30 queries.
  double Recall(Collection& c) {
    size_t hit = 0, total = 0;
    for (int q = 0; q < 30; ++q) {
      SearchRequest req;
      req.vector = Points(100000 + q, 100001 + q, "").points[0].vectors[""];
      req.limit = 10;
      auto approx = c.Search(req);
      req.exact = true;
      auto exact = c.Search(req);
      EXPECT_TRUE(approx.ok() && exact.ok());
      std::set<PointId> truth;
      for (const auto& r : exact.value()) truth.insert(r.id);
      for (const auto& r : approx.value()) hit += truth.count(r.id);
      total += truth.size();
    }
    return double(hit) / double(total);
  }

  std::string dir_;
  CollectionConfig config_;
  base::FileSystem* fs_ = base::FileSystem::Default();
};

TEST_F(CollectionMergeTest, MergesTowardTargetKeepingPointsPayloadsVersionsAndRecall) {
  auto created = Collection::Create(fs_, dir_ + "/c", "c", config_);
  ASSERT_TRUE(created.ok());
  Collection& c = *created.value();
  ASSERT_TRUE(c.Update(Points(0, 5700, "first")).ok());
  // Deletions in what will be merged (some in the largest, indexed segments).
  for (int i = 0; i < 5700; i += 13) {
    ASSERT_TRUE(c.Update(DeletePointsOp{{{PointId::Num(i)}, std::nullopt}}).ok());
  }
  auto versions = c.Retrieve({PointId::Num(1), PointId::Num(5699)}, {}, {});
  ASSERT_TRUE(versions.ok());
  RunOptimizer(c);
  EXPECT_GE(c.Info().segments_count, 11u);
  EXPECT_FALSE(c.OptimizationPending());

  CollectionConfig updated = c.config();
  updated.optimizer_config.default_segment_number = 2;
  updated.optimizer_config.max_segment_size.reset();  // auto: 256 MB per CPU
  ASSERT_TRUE(c.UpdateConfig(updated).ok());
  EXPECT_TRUE(c.OptimizationPending());
  EXPECT_EQ(c.StatusColor(), "yellow");
  auto queued = c.Optimizations(16);
  ASSERT_FALSE(queued.queued.empty());
  EXPECT_EQ(queued.queued[0].optimizer, "merge");
  RunOptimizer(c);
  EXPECT_FALSE(c.OptimizationPending());
  EXPECT_EQ(c.StatusColor(), "green");
  CollectionInfo info = c.Info();
  EXPECT_LE(info.segments_count, 2u);
  const uint64_t live = 5700 - (5700 + 12) / 13;
  EXPECT_EQ(info.points_count, live);
  // One sealed, indexed segment holds all but the appendable rest (68 points).
  EXPECT_LE(info.indexed_vectors_count, live);
  EXPECT_GE(info.indexed_vectors_count, live - 68);
  auto report = c.Optimizations(16);
  ASSERT_FALSE(report.completed.empty());
  EXPECT_EQ(report.completed[0].optimizer, "merge");
  EXPECT_EQ(report.completed[0].status, OptimizationRecord::Status::kDone);
  EXPECT_TRUE(report.running.empty());
  EXPECT_EQ(report.queued_optimizations, 0u);

  // Every point with its payload and version; deleted ones stay deleted.
  std::vector<PointId> ids;
  for (int i = 0; i < 5700; ++i) ids.push_back(PointId::Num(i));
  auto all = c.Retrieve(ids, {PayloadSelector::Mode::kAll, {}}, {true, {}});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all.value().size(), live);
  for (const auto& r : all.value()) {
    int n = static_cast<int>(r.id.lo);
    EXPECT_NE(n % 13, 0);
    EXPECT_EQ(*r.payload->Find("n"), Value(n));
    ASSERT_TRUE(r.vectors && r.vectors->count(""));
  }
  auto after = c.Retrieve({PointId::Num(1), PointId::Num(5699)}, {}, {});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after.value()[0].version, versions.value()[0].version);
  EXPECT_EQ(after.value()[1].version, versions.value()[1].version);
  EXPECT_GE(Recall(c), 0.95);
}

TEST_F(CollectionMergeTest, WritesDuringTheMergeAreNotLost) {
  auto created = Collection::Create(fs_, dir_ + "/c", "c", config_);
  ASSERT_TRUE(created.ok());
  Collection& c = *created.value();
  ASSERT_TRUE(c.Update(Points(0, 3700, "old")).ok());
  RunOptimizer(c);
  CollectionConfig updated = c.config();
  updated.optimizer_config.default_segment_number = 2;
  updated.optimizer_config.max_segment_size.reset();
  ASSERT_TRUE(c.UpdateConfig(updated).ok());
  // Between the copy and the swap: delete, overwrite and re-tag points that are being merged.
  int hooks = 0;
  c.SetBeforeSwapHookForTest([&] {
    if (hooks++ > 0) return;
    EXPECT_TRUE(
        c.Update(DeletePointsOp{{{PointId::Num(10), PointId::Num(20)}, std::nullopt}}).ok());
    EXPECT_TRUE(c.Update(Points(100, 110, "new")).ok());
    SetPayloadOp set;
    set.selector.ids = {PointId::Num(30)};
    Value payload{Object{}};
    payload.Set("extra", Value(true));
    set.payload = payload;
    EXPECT_TRUE(c.Update(set).ok());
    // Searches during the merge see the pre-merge segments, and never deleted points.
    SearchRequest req;
    req.vector = Points(10, 11, "").points[0].vectors[""];
    req.limit = 5;
    auto r = c.Search(req);
    ASSERT_TRUE(r.ok());
    for (const auto& rec : r.value()) EXPECT_NE(rec.id, PointId::Num(10));
  });
  RunOptimizer(c);
  c.SetBeforeSwapHookForTest(nullptr);
  EXPECT_GE(hooks, 1);
  EXPECT_LE(c.Info().segments_count, 2u);
  EXPECT_EQ(c.Count(std::nullopt).value(), 3698u);
  auto gone = c.Retrieve({PointId::Num(10), PointId::Num(20)}, {}, {});
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone.value().empty());
  auto fresh = c.Retrieve({PointId::Num(105), PointId::Num(30), PointId::Num(31)},
                          {PayloadSelector::Mode::kAll, {}}, {});
  ASSERT_TRUE(fresh.ok());
  ASSERT_EQ(fresh.value().size(), 3u);
  EXPECT_EQ(*fresh.value()[0].payload->Find("tag"), Value("new"));
  ASSERT_NE(fresh.value()[1].payload->Find("extra"), nullptr);
  EXPECT_EQ(*fresh.value()[2].payload->Find("tag"), Value("old"));
  // Exactly one live copy of each point: an exact search over everything finds no duplicates.
  SearchRequest req;
  req.vector = Points(105, 106, "").points[0].vectors[""];
  req.limit = 5000;
  req.exact = true;
  auto r = c.Search(req);
  ASSERT_TRUE(r.ok());
  std::set<PointId> seen;
  for (const auto& rec : r.value()) EXPECT_TRUE(seen.insert(rec.id).second) << rec.id.ToString();
  EXPECT_EQ(seen.size(), 3698u);
}

TEST_F(CollectionMergeTest, MergedSegmentsArePersistedAndACrashBeforeACheckpointLosesNothing) {
  {
    auto c = Collection::Create(fs_, dir_ + "/c", "c", config_);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c.value()->Update(Points(0, 4700, "x")).ok());
    RunOptimizer(*c.value());
    CollectionConfig updated = c.value()->config();
    updated.optimizer_config.default_segment_number = 3;
    updated.optimizer_config.max_segment_size.reset();
    ASSERT_TRUE(c.value()->UpdateConfig(updated).ok());
    ASSERT_TRUE(c.value()->Checkpoint().ok());
    RunOptimizer(*c.value());
    EXPECT_LE(c.value()->Info().segments_count, 3u);
    // Dropped without a checkpoint (as by kill -9): the merge was never written.
  }
  {
    auto c = Collection::Open(fs_, dir_ + "/c", "c");
    ASSERT_TRUE(c.ok()) << c.status().message();
    EXPECT_EQ(c.value()->Count(std::nullopt).value(), 4700u);
    EXPECT_GT(c.value()->Info().segments_count, 3u);
    EXPECT_TRUE(c.value()->OptimizationPending());
    RunOptimizer(*c.value());
    ASSERT_TRUE(c.value()->Update(Points(4700, 4800, "late")).ok());
    ASSERT_TRUE(c.value()->Checkpoint().ok());
  }
  auto c = Collection::Open(fs_, dir_ + "/c", "c");
  ASSERT_TRUE(c.ok()) << c.status().message();
  CollectionInfo info = c.value()->Info();
  EXPECT_LE(info.segments_count, 3u);
  EXPECT_EQ(info.points_count, 4800u);
  EXPECT_EQ(info.indexed_vectors_count, 4608u);  // graphs loaded, not rebuilt
  EXPECT_FALSE(c.value()->OptimizationPending());
  // New points still go to the appendable segment (kept last after reload).
  ASSERT_TRUE(c.value()->Update(Points(4800, 4810, "after")).ok());
  EXPECT_EQ(c.value()->Count(std::nullopt).value(), 4810u);
  EXPECT_LE(c.value()->Info().segments_count, 3u);
  EXPECT_GE(Recall(*c.value()), 0.95);
}

// A bulk load must not copy the growing merged segment once per new sealed segment: merges wait
// until writes pause, while indexing goes on.
TEST_F(CollectionMergeTest, MergesWaitUntilWritesPause) {
  config_.optimizer_config.default_segment_number = 2;
  config_.optimizer_config.max_segment_size = 1000000;
  config_.optimizer_config.indexing_threshold = 1000000;  // no indexing: only merges are planned
  auto c = Collection::Create(fs_, dir_ + "/c", "c", config_);
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 6; ++i) {  // sealed by size (kSealPoints) into several segments
    ASSERT_TRUE(c.value()->Update(Points(i * 25000, (i + 1) * 25000, "x")).ok());
  }
  const uint64_t before = c.value()->Info().segments_count;
  ASSERT_GT(before, 2u);
  EXPECT_TRUE(c.value()->OptimizationPending());  // yellow: a merge is due
  EXPECT_FALSE(c.value()->OptimizeStep(2));       // but not while writes stream in
  EXPECT_EQ(c.value()->Info().segments_count, before);
  RunOptimizer(*c.value());  // a second later it runs
  EXPECT_LE(c.value()->Info().segments_count, 2u);
  EXPECT_EQ(c.value()->Count(std::nullopt).value(), 150000u);
}

// During a stream of writes the WAL alone keeps them durable: sealed segments are not written
// while the stream goes on (that doubled the bytes written by a bulk load), but once it pauses.
TEST_F(CollectionMergeTest, CheckpointsWaitUntilWritesPause) {
  config_.optimizer_config.indexing_threshold = 1000000;
  auto segment_files = [&] {
    auto names = fs_->ListDir(dir_ + "/c/segments");
    return names.ok() ? names.value().size() : 0u;
  };
  {
    auto c = Collection::Create(fs_, dir_ + "/c", "c", config_);
    ASSERT_TRUE(c.ok());
    const size_t before = segment_files();
    ASSERT_TRUE(c.value()->Update(Points(0, 3000, "x")).ok());  // several sealed segments
    ASSERT_GT(c.value()->Info().segments_count, 2u);
    ASSERT_TRUE(c.value()->MaybeCheckpoint().ok());
    EXPECT_EQ(segment_files(), before);  // still streaming: nothing written
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    ASSERT_TRUE(c.value()->MaybeCheckpoint().ok());
    EXPECT_GE(segment_files(), before + c.value()->Info().segments_count);
  }
  auto reopened = Collection::Open(fs_, dir_ + "/c", "c");
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened.value()->Count(std::nullopt).value(), 3000u);
}

// payload_schema counts points with a value per indexed field: sealed segments remember which
// offsets have one, deletions and moved points still count right.
TEST_F(CollectionMergeTest, PayloadSchemaCountsFollowDeletesAcrossSealedSegments) {
  auto c = Collection::Create(fs_, dir_ + "/c", "c", config_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.value()->CreatePayloadIndex("n", {"integer", "", Value()}).ok());
  ASSERT_TRUE(c.value()->CreatePayloadIndex("missing", {"keyword", "", Value()}).ok());
  ASSERT_TRUE(c.value()->Update(Points(0, 3000, "x")).ok());  // several sealed segments
  ASSERT_GT(c.value()->Info().segments_count, 2u);
  EXPECT_EQ(c.value()->Info().payload_schema["n"].points, 3000u);
  EXPECT_EQ(c.value()->Info().payload_schema["missing"].points, 0u);
  DeletePointsOp del;
  for (int i = 0; i < 3000; i += 3) del.selector.ids.push_back(PointId::Num(i));
  ASSERT_TRUE(c.value()->Update(del).ok());
  EXPECT_EQ(c.value()->Info().payload_schema["n"].points, 2000u);  // cached marks, fresh deletes
  // Re-upserting a point of a sealed segment moves it; it is counted once.
  ASSERT_TRUE(c.value()->Update(Points(1, 2, "y")).ok());
  EXPECT_EQ(c.value()->Info().payload_schema["n"].points, 2000u);
}

TEST_F(CollectionMergeTest, ZeroOptimizationThreadsDisablesTheOptimizer) {
  config_.optimizer_config.max_optimization_threads = 0;
  auto c = Collection::Create(fs_, dir_ + "/c", "c", config_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.value()->Update(Points(0, 2000, "x")).ok());
  EXPECT_TRUE(c.value()->OptimizationPending());
  EXPECT_EQ(c.value()->StatusColor(), "grey");
  EXPECT_FALSE(c.value()->OptimizeStep(2));
  EXPECT_EQ(c.value()->Info().indexed_vectors_count, 0u);
}

TEST_F(CollectionMergeTest, AutoTargetFollowsQdrant) {
  config_.optimizer_config.default_segment_number = 0;
  config_.optimizer_config.max_segment_size.reset();
  auto c = Collection::Create(fs_, dir_ + "/c", "c", config_);
  ASSERT_TRUE(c.ok());
  size_t cpus = std::max(1u, std::thread::hardware_concurrency());
  EXPECT_EQ(c.value()->TargetSegmentCount(), std::clamp<size_t>(cpus, 2, 8));
  EXPECT_EQ(c.value()->MaxSegmentKb(), std::max<uint64_t>(cpus * 256000, 1000000));
}

// Merges toward the target make segments of about equal size, so that one query's segments split
// evenly over the cores: 12 sealed segments of 512 points become two of 3,072, not 5,632 + 512.
TEST_F(CollectionMergeTest, MergedSegmentsComeOutEven) {
  auto created = Collection::Create(fs_, dir_ + "/c", "c", config_);
  ASSERT_TRUE(created.ok());
  Collection& c = *created.value();
  ASSERT_TRUE(c.Update(Points(0, 12 * 512, "x")).ok());
  RunOptimizer(c);  // the last segment is sealed once writes pause, and each is indexed
  ASSERT_EQ(c.Info().segments_count, 12u);
  CollectionConfig updated = c.config();
  updated.optimizer_config.default_segment_number = 2;
  updated.optimizer_config.max_segment_size.reset();
  ASSERT_TRUE(c.UpdateConfig(updated).ok());
  RunOptimizer(c);
  EXPECT_FALSE(c.OptimizationPending());
  auto report = c.Optimizations(16);
  ASSERT_EQ(report.idle_segments.size(), 2u);
  for (const auto& seg : report.idle_segments) EXPECT_EQ(seg.points_count, 6u * 512) << seg.uuid;
  EXPECT_EQ(c.Count(std::nullopt).value(), 12u * 512);
}

}  // namespace
}  // namespace quiver::engine
