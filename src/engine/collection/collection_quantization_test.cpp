// Scalar int8 quantization in a collection: searches over quantized copies keep recall against
// exact search on clustered data (with rescoring), the search params ignore / rescore /
// oversampling do what they say, and a config change re-quantizes through the optimizer.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <thread>

#include "engine/collection/collection.h"
#include "engine/index/distance_kernels.h"

namespace quiver::engine {
namespace {

constexpr uint32_t kDim = 48;

class CollectionQuantizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/quiver-quant-XXXXXX";
    dir_ = mkdtemp(tmpl);
    config_.vectors[""] = VectorParams{};
    config_.vectors[""].size = kDim;
    config_.vectors[""].distance = Distance::kCosine;
    config_.optimizer_config.max_segment_size = 256;  // KB: 1,365 points per segment
    config_.optimizer_config.indexing_threshold = 64;
    config_.optimizer_config.default_segment_number = 1000;
    QuantizationConfig q;
    q.kind = QuantizationConfig::Kind::kScalar;
    q.quantile = 0.99;
    q.always_ram = true;
    scalar_ = q;
  }
  void TearDown() override { (void)base::FileSystem::Default()->RemoveAll(dir_); }

  // A Gaussian mixture with 600 centres of varying spread (0.15 to 0.6, as
  // bench/common/datagen.py).
  std::vector<float> Vector(int i) {
    const int centre = static_cast<int>((int64_t(i) * 7919) % 600);
    std::mt19937 crng(1000 + centre);
    std::normal_distribution<float> g(0, 1);
    std::vector<float> c(kDim);
    for (auto& x : c) x = g(crng);
    float spread = 0.15f + 0.45f * float(centre % 10) / 9.0f;
    std::mt19937 rng(i);
    for (auto& x : c) x += spread * g(rng);
    return c;
  }
  UpsertOp Points(int from, int to) {
    UpsertOp op;
    for (int i = from; i < to; ++i) {
      PointStruct p;
      p.id = PointId::Num(i);
      p.vectors[""] = Vector(i);
      op.points.push_back(p);
    }
    return op;
  }
  // Runs the optimizer until nothing is pending. The appendable segment is sealed (and indexed)
  // only once writes have paused for a second, so this waits for that (up to 5 s).
  void RunOptimizer(Collection& c) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (int steps = 0; steps < 1000; ++steps) {
      if (c.OptimizeStep(2)) continue;
      if (!c.OptimizationPending() || std::chrono::steady_clock::now() > deadline) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  std::vector<float> Query(int q) {
    auto v = Vector(500000 + q);
    Normalize(v.data(), v.size());
    return v;
  }
  // Recall@10 of `params` against exact search; `*approx_scores` counts results whose score
  // differs from the exact float score (i.e. came from the quantized codes).
  double Recall(Collection& c, std::optional<QuantizationSearchParams> params, bool exact_graph,
                int* approx_scores = nullptr) {
    size_t hit = 0, total = 0;
    for (int q = 0; q < 40; ++q) {
      SearchRequest req;
      req.vector = Query(q);
      req.limit = 10;
      req.exact = true;
      auto truth = c.Search(req);
      req.exact = exact_graph;
      req.quantization = params;
      auto got = c.Search(req);
      EXPECT_TRUE(truth.ok() && got.ok());
      std::map<PointId, float> t;
      for (const auto& r : truth.value()) t[r.id] = r.score;
      for (const auto& r : got.value()) {
        auto it = t.find(r.id);
        if (it == t.end()) continue;
        ++hit;
        if (approx_scores && std::fabs(it->second - r.score) > 1e-5f) ++*approx_scores;
      }
      total += t.size();
    }
    return double(hit) / double(total);
  }

  // A collection with `n` points, optimized and checkpointed (its files written).
  std::unique_ptr<Collection> Loaded(int n) {
    auto created = Collection::Create(fs_, dir_ + "/c", "c", config_);
    EXPECT_TRUE(created.ok());
    if (!created.ok()) return nullptr;
    EXPECT_TRUE(created.value()->Update(Points(0, n)).ok());
    RunOptimizer(*created.value());
    EXPECT_TRUE(created.value()->Checkpoint().ok());
    return std::move(created.value());
  }

  std::string dir_;
  CollectionConfig config_;
  QuantizationConfig scalar_;
  base::FileSystem* fs_ = base::FileSystem::Default();
};

TEST_F(CollectionQuantizationTest, QuantizedSearchKeepsRecallAndParamsWork) {
  config_.quantization_config = scalar_;
  auto created = Collection::Create(fs_, dir_ + "/c", "c", config_);
  ASSERT_TRUE(created.ok());
  Collection& c = *created.value();
  ASSERT_TRUE(c.Update(Points(0, 6000)).ok());
  RunOptimizer(c);
  EXPECT_GT(c.Info().indexed_vectors_count, 5000u);
  EXPECT_FALSE(c.OptimizationPending());

  // Default: quantized graph traversal, rescored: recall and exact scores.
  int approx = 0;
  EXPECT_GE(Recall(c, std::nullopt, false, &approx), 0.95);
  EXPECT_EQ(approx, 0);
  // Without rescoring the scores are the quantized approximations.
  approx = 0;
  QuantizationSearchParams no_rescore;
  no_rescore.rescore = false;
  EXPECT_GE(Recall(c, no_rescore, false, &approx), 0.8);
  EXPECT_GT(approx, 0);
  // Oversampling fetches more candidates to rescore: recall does not drop.
  QuantizationSearchParams over;
  over.oversampling = 3.0;
  EXPECT_GE(Recall(c, over, false), 0.95);
  // ignore: the original vectors only.
  QuantizationSearchParams ignore;
  ignore.ignore = true;
  approx = 0;
  EXPECT_GE(Recall(c, ignore, false, &approx), 0.95);
  EXPECT_EQ(approx, 0);
  // A filtered (planner: scan over the codes) search only returns matches, rescored.
  SearchRequest req;
  req.vector = Query(1);
  req.limit = 5;
  Filter f;
  HasIdCondition has;
  for (int i = 0; i < 6000; i += 3) has.ids.push_back(PointId::Num(i));
  f.must.push_back(Condition{has});
  req.filter = f;
  auto filtered = c.Search(req);
  req.exact = true;
  auto filtered_exact = c.Search(req);
  ASSERT_TRUE(filtered.ok() && filtered_exact.ok());
  ASSERT_EQ(filtered.value().size(), 5u);
  for (const auto& r : filtered.value()) EXPECT_EQ(r.id.lo % 3, 0u);
  EXPECT_EQ(filtered.value()[0].id, filtered_exact.value()[0].id);
}

TEST_F(CollectionQuantizationTest, ConfigChangeRequantizesAndReloadRebuilds) {
  auto created = Collection::Create(fs_, dir_ + "/c", "c", config_);
  ASSERT_TRUE(created.ok());
  {
    Collection& c = *created.value();
    ASSERT_TRUE(c.Update(Points(0, 4000)).ok());
    RunOptimizer(c);
    EXPECT_FALSE(c.OptimizationPending());
    QuantizationSearchParams no_rescore;
    no_rescore.rescore = false;
    int approx = 0;
    Recall(c, no_rescore, false, &approx);
    EXPECT_EQ(approx, 0);  // nothing quantized yet: scores are exact

    CollectionConfig updated = c.config();
    updated.vectors[""].quantization_config = scalar_;  // vector level
    ASSERT_TRUE(c.UpdateConfig(updated).ok());
    EXPECT_TRUE(c.OptimizationPending());
    auto queued = c.Optimizations(16);
    ASSERT_FALSE(queued.queued.empty());
    EXPECT_EQ(queued.queued[0].optimizer, "config_mismatch");
    RunOptimizer(c);
    EXPECT_FALSE(c.OptimizationPending());
    approx = 0;
    EXPECT_GE(Recall(c, no_rescore, false, &approx), 0.8);
    EXPECT_GT(approx, 0);
    EXPECT_GE(Recall(c, std::nullopt, false), 0.95);
    ASSERT_TRUE(c.Checkpoint().ok());
    created.value().reset();
  }
  auto c = Collection::Open(fs_, dir_ + "/c", "c");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c.value()->OptimizationPending());  // quantized again on load
  QuantizationSearchParams no_rescore;
  no_rescore.rescore = false;
  int approx = 0;
  EXPECT_GE(Recall(*c.value(), no_rescore, false, &approx), 0.8);
  EXPECT_GT(approx, 0);
  // Removing quantization drops the quantized copies.
  CollectionConfig updated = c.value()->config();
  updated.vectors[""].quantization_config.reset();
  ASSERT_TRUE(c.value()->UpdateConfig(updated).ok());
  RunOptimizer(*c.value());
  approx = 0;
  Recall(*c.value(), no_rescore, false, &approx);
  EXPECT_EQ(approx, 0);
}

TEST_F(CollectionQuantizationTest, BinaryQuantizationWithRescoringKeepsRecall) {
  QuantizationConfig binary;
  binary.kind = QuantizationConfig::Kind::kBinary;
  config_.quantization_config = binary;
  auto created = Collection::Create(fs_, dir_ + "/c", "c", config_);
  ASSERT_TRUE(created.ok());
  Collection& c = *created.value();
  ASSERT_TRUE(c.Update(Points(0, 6000)).ok());
  RunOptimizer(c);
  EXPECT_FALSE(c.OptimizationPending());
  QuantizationSearchParams no_rescore;
  no_rescore.rescore = false;
  int approx = 0;
  double raw = Recall(c, no_rescore, false, &approx);
  EXPECT_GT(approx, 0);  // the binary scores themselves: the binary path was used
  QuantizationSearchParams over;
  over.oversampling = 4.0;
  double rescored = Recall(c, over, false);
  EXPECT_GE(rescored, 0.9);
  EXPECT_GT(rescored, raw);
  // Switching to scalar re-quantizes.
  CollectionConfig updated = c.config();
  updated.quantization_config = scalar_;
  ASSERT_TRUE(c.UpdateConfig(updated).ok());
  EXPECT_TRUE(c.OptimizationPending());
  RunOptimizer(c);
  EXPECT_FALSE(c.OptimizationPending());
  EXPECT_GE(Recall(c, std::nullopt, false), 0.95);
}

std::vector<std::string> VectorFilesIn(const std::string& dir) {
  std::vector<std::string> out;
  auto names = base::FileSystem::Default()->ListDir(dir);
  if (!names.ok()) return out;
  for (const auto& n : names.value()) {
    if (n.size() > 4 && n.substr(n.size() - 4) == ".vec") out.push_back(n);
  }
  return out;
}

// on_disk vectors with an int8 copy in RAM (the memory target): sealed segments keep their
// originals in mapped vector files; search, rescoring, retrieval and reload work from them.
TEST_F(CollectionQuantizationTest, OnDiskVectorsKeepRecallAndSurviveReload) {
  config_.quantization_config = scalar_;
  config_.vectors[""].on_disk = true;
  auto created = Collection::Create(fs_, dir_ + "/c", "c", config_);
  ASSERT_TRUE(created.ok());
  const std::vector<float> original = Query(7);  // any normalized vector
  {
    Collection& c = *created.value();
    ASSERT_TRUE(c.Update(Points(0, 6000)).ok());
    RunOptimizer(c);
    EXPECT_FALSE(c.OptimizationPending());
    ASSERT_TRUE(c.Checkpoint().ok());
    EXPECT_GE(VectorFilesIn(dir_ + "/c/segments").size(), 3u);  // one per sealed segment
    EXPECT_GE(Recall(c, std::nullopt, false), 0.95);
    QuantizationSearchParams ignore;
    ignore.ignore = true;
    EXPECT_GE(Recall(c, ignore, false), 0.95);
    created.value().reset();
  }
  auto c = Collection::Open(fs_, dir_ + "/c", "c");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c.value()->OptimizationPending());
  int approx = 0;
  EXPECT_GE(Recall(*c.value(), std::nullopt, false, &approx), 0.95);
  EXPECT_EQ(approx, 0);  // rescored from the files: exact scores
  // Vectors read back from the files are the ones written (normalized on the way in).
  auto got = c.value()->Retrieve({PointId::Num(123)}, {}, VectorSelector{true, {}});
  ASSERT_TRUE(got.ok() && got.value().size() == 1 && got.value()[0].vectors);
  std::vector<float> want = Vector(123);
  Normalize(want.data(), want.size());
  EXPECT_EQ(got.value()[0].vectors->at(""), want);
  EXPECT_EQ(original.size(), kDim);
}

// memmap_threshold (KB of vectors per segment) puts the larger segments on disk, as in Qdrant.
TEST_F(CollectionQuantizationTest, MemmapThresholdMovesLargeSegmentsToDisk) {
  config_.optimizer_config.memmap_threshold = 100;  // 1,365-point segments hold 256 KB
  auto loaded = Loaded(4000);
  ASSERT_TRUE(loaded);
  Collection& c = *loaded;
  EXPECT_GE(VectorFilesIn(dir_ + "/c/segments").size(), 2u);
  EXPECT_GE(Recall(c, std::nullopt, false), 0.95);
}

// A vector file is input like any other: a flipped bit, a short file or a missing one is reported
// as corruption when the collection opens, never read as vectors (nor a fault on access).
TEST_F(CollectionQuantizationTest, DamagedVectorFilesAreReported) {
  config_.vectors[""].on_disk = true;
  {
    auto created = Collection::Create(fs_, dir_ + "/c", "c", config_);
    ASSERT_TRUE(created.ok());
    ASSERT_TRUE(created.value()->Update(Points(0, 3000)).ok());
    RunOptimizer(*created.value());
    ASSERT_TRUE(created.value()->Checkpoint().ok());
  }
  const std::string segs = dir_ + "/c/segments/";
  auto files = VectorFilesIn(segs);
  ASSERT_FALSE(files.empty());
  const std::string victim = segs + files[0];
  auto bytes = fs_->ReadFile(victim);
  ASSERT_TRUE(bytes.ok());
  const std::string good = bytes.value();
  auto open_error = [&](const std::string& content) {
    EXPECT_TRUE(fs_->WriteFileAtomic(victim, content).ok());
    auto c = Collection::Open(fs_, dir_ + "/c", "c");
    return c.ok() ? std::string("opened") : c.status().message();
  };
  std::string flipped = good;
  flipped[4096 + 1000] ^= 0x10;
  EXPECT_NE(open_error(flipped).find("failed its checksum"), std::string::npos);
  EXPECT_NE(open_error(good.substr(0, good.size() - 4)).find("bytes, expected"), std::string::npos);
  std::string header = good;
  header[12] ^= 1;  // the dimension
  EXPECT_NE(open_error(header).find("bad header"), std::string::npos);
  EXPECT_EQ(open_error(good), "opened");
  ASSERT_TRUE(fs_->Remove(victim).ok());
  auto c = Collection::Open(fs_, dir_ + "/c", "c");
  EXPECT_FALSE(c.ok());
}

// A vector file that stops being readable while the collection is open (truncated under it) is
// not read as vectors by the optimizer: that segment is left as it is, the other segments' work
// goes on, the optimizer stops instead of retrying forever, and the collection reports red with
// the error, as Qdrant does when an optimizer fails.
TEST_F(CollectionQuantizationTest, UnreadableVectorFileStopsOnlyItsSegmentAndTurnsRed) {
  config_.vectors[""].on_disk = true;
  auto created = Collection::Create(fs_, dir_ + "/c", "c", config_);
  ASSERT_TRUE(created.ok());
  Collection& c = *created.value();
  ASSERT_TRUE(c.Update(Points(0, 4000)).ok());
  RunOptimizer(c);
  ASSERT_TRUE(c.Checkpoint().ok());
  const std::string segs = dir_ + "/c/segments/";
  auto files = VectorFilesIn(segs);
  ASSERT_GE(files.size(), 2u);
  ASSERT_EQ(::truncate((segs + files[0]).c_str(), 4096 + 100), 0);
  EXPECT_EQ(c.StatusColor(), "green");
  CollectionConfig updated = c.config();
  updated.vectors[""].on_disk = false;  // every sealed segment is rebuilt in memory
  ASSERT_TRUE(c.UpdateConfig(updated).ok());
  RunOptimizer(c);
  EXPECT_FALSE(c.OptimizationPending());
  EXPECT_EQ(c.StatusColor(), "red");
  EXPECT_NE(c.Info().optimizer_error.find("cannot read the vectors of segment"), std::string::npos)
      << c.Info().optimizer_error;
  ASSERT_TRUE(c.Checkpoint().ok());
  EXPECT_EQ(VectorFilesIn(segs), std::vector<std::string>{files[0]});  // only the damaged one
  EXPECT_EQ(c.Info().points_count, 4000u);
}

// Changing on_disk rebuilds the sealed segments (config_mismatch), both ways, as Qdrant does.
TEST_F(CollectionQuantizationTest, OnDiskChangeMovesExistingSegments) {
  auto loaded = Loaded(4000);
  ASSERT_TRUE(loaded);
  Collection& c = *loaded;
  EXPECT_TRUE(VectorFilesIn(dir_ + "/c/segments").empty());
  for (bool on_disk : {true, false}) {
    CollectionConfig updated = c.config();
    updated.vectors[""].on_disk = on_disk;
    ASSERT_TRUE(c.UpdateConfig(updated).ok());
    EXPECT_TRUE(c.OptimizationPending());
    RunOptimizer(c);
    EXPECT_FALSE(c.OptimizationPending());
    ASSERT_TRUE(c.Checkpoint().ok());
    EXPECT_EQ(VectorFilesIn(dir_ + "/c/segments").size() >= 2, on_disk);
    EXPECT_EQ(c.Info().points_count, 4000u);
    EXPECT_GE(Recall(c, std::nullopt, false), 0.95);
  }
}

}  // namespace
}  // namespace quiver::engine
