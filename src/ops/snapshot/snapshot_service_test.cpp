#include "ops/snapshot/snapshot_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <random>

#include "base/file_system.h"
#include "ops/snapshot/sha256.h"
#include "ops/snapshot/tar_reader.h"

namespace quiver::ops {
namespace {

using engine::PointId;

class SnapshotServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/quiver-snap-XXXXXX";
    dir_ = mkdtemp(tmpl);
    opt_.snapshots_path = dir_ + "/snapshots";
    opt_.quiver_version = "test";
    auto cat = engine::Catalog::Open(fs_, dir_ + "/storage");
    ASSERT_TRUE(cat.ok());
    catalog_ = std::move(cat.value());
    // Segments of 96 KB (6,144 points of 4 floats): 8,000 points give one sealed segment that
    // passes the 64 KB indexing threshold and gets an HNSW graph.
    config_.vectors[""] = engine::VectorParams{};
    config_.vectors[""].size = 4;
    config_.vectors[""].distance = engine::Distance::kEuclid;
    config_.optimizer_config.max_segment_size = 96;
    config_.optimizer_config.indexing_threshold = 64;
  }
  void TearDown() override {
    catalog_.reset();
    (void)fs_->RemoveAll(dir_);
  }

  engine::UpsertOp Points(int from, int to, float shift = 0) {
    std::mt19937 rng(from);
    std::normal_distribution<float> g(0, 1);
    engine::UpsertOp op;
    for (int i = from; i < to; ++i) {
      engine::PointStruct p;
      p.id = PointId::Num(i);
      int cluster = i % 20;
      p.vectors[""] = {cluster + 0.1f * g(rng) + shift, -cluster + 0.1f * g(rng), 0.1f * g(rng), 1};
      engine::Value payload{engine::Object{}};
      payload.Set("n", engine::Value(i));
      p.payload = payload;
      op.points.push_back(p);
    }
    return op;
  }

  std::shared_ptr<engine::Collection> Get(const std::string& name) {
    auto c = catalog_->Get(name);
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? c.value() : nullptr;
  }

  std::vector<std::pair<PointId, float>> Search(const std::string& name, float q) {
    engine::SearchRequest req;
    req.vector = {q, -q, 0, 1};
    req.limit = 10;
    auto r = Get(name)->Search(req);
    EXPECT_TRUE(r.ok());
    std::vector<std::pair<PointId, float>> out;
    for (const auto& rec : r.value()) out.emplace_back(rec.id, rec.score);
    return out;
  }

  std::string dir_;
  base::FileSystem* fs_ = base::FileSystem::Default();
  SnapshotOptions opt_;
  engine::CollectionConfig config_;
  std::unique_ptr<engine::Catalog> catalog_;
};

TEST_F(SnapshotServiceTest, RoundTripWithHnswGraph) {
  ASSERT_TRUE(catalog_->CreateCollection("src", config_).ok());
  auto src = Get("src");
  ASSERT_TRUE(src->Update(Points(0, 8000)).ok());
  ASSERT_TRUE(src->OptimizeStep(2));
  ASSERT_GT(src->Info().indexed_vectors_count, 6000u);
  ASSERT_TRUE(src->Update(engine::DeletePointsOp{{{PointId::Num(7)}, std::nullopt}}).ok());

  std::vector<std::vector<std::pair<PointId, float>>> want;
  for (int q = 0; q < 20; q += 3) want.push_back(Search("src", q + 0.05f));
  auto d = CreateCollectionSnapshot(*catalog_, "src", opt_);
  ASSERT_TRUE(d.ok()) << d.status().message();
  const std::string path = CollectionSnapshotDir(opt_, "src") + "/" + d.value().name;
  EXPECT_EQ(d.value().name.rfind("src-1-", 0), 0u);
  EXPECT_EQ(d.value().checksum, Sha256OfFile(path).value());
  EXPECT_EQ(fs_->ReadFile(path + ".checksum").value(), d.value().checksum);
  EXPECT_EQ(ListSnapshots(CollectionSnapshotDir(opt_, "src")).size(), 1u);

  // The tar holds the graph file.
  ASSERT_TRUE(fs_->CreateDirs(dir_ + "/peek").ok());
  auto files = ExtractTar(path, dir_ + "/peek");
  ASSERT_TRUE(files.ok());
  bool has_graph = false;
  for (const auto& f : files.value()) has_graph |= f.path.find(".hnsw") != std::string::npos;
  EXPECT_TRUE(has_graph);

  // Writes after the snapshot are not in it.
  ASSERT_TRUE(src->Update(Points(8000, 8100)).ok());

  ASSERT_TRUE(RecoverCollectionSnapshot(*catalog_, "copy", path, d.value().checksum, opt_).ok());
  auto copy = Get("copy");
  EXPECT_EQ(copy->Count(std::nullopt).value(), 7999u);
  EXPECT_GT(copy->Info().indexed_vectors_count, 6000u);  // the graph came back, not rebuilt
  // Same graph, same data: identical results to the source before the extra writes.
  for (int q = 0, i = 0; q < 20; q += 3, ++i) EXPECT_EQ(Search("copy", q + 0.05f), want[i]);
  // The recovered collection takes writes and survives a restart.
  ASSERT_TRUE(copy->Update(Points(9000, 9010)).ok());
  copy.reset();
  auto before = Search("copy", 3.05f);
  ASSERT_TRUE(catalog_->Close().ok());
  catalog_.reset();
  auto reopened = engine::Catalog::Open(fs_, dir_ + "/storage");
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  catalog_ = std::move(reopened.value());
  EXPECT_EQ(Get("copy")->Count(std::nullopt).value(), 8009u);
  EXPECT_EQ(Search("copy", 3.05f), before);
}

TEST_F(SnapshotServiceTest, RecoverReplacesExistingCollectionAndMatchesSearch) {
  ASSERT_TRUE(catalog_->CreateCollection("a", config_).ok());
  ASSERT_TRUE(Get("a")->Update(Points(0, 500)).ok());
  auto want = Search("a", 4.05f);
  auto d = CreateCollectionSnapshot(*catalog_, "a", opt_);
  ASSERT_TRUE(d.ok());
  const std::string path = CollectionSnapshotDir(opt_, "a") + "/" + d.value().name;
  ASSERT_TRUE(Get("a")->Update(Points(0, 500, /*shift=*/100)).ok());  // overwrite every point
  ASSERT_NE(Search("a", 4.05f), want);
  ASSERT_TRUE(RecoverCollectionSnapshot(*catalog_, "a", path, "", opt_).ok());
  EXPECT_EQ(Search("a", 4.05f), want);
  EXPECT_EQ(Get("a")->Count(std::nullopt).value(), 500u);
}

TEST_F(SnapshotServiceTest, RecoverOverACollectionWithOtherVectorsIsRefused) {
  ASSERT_TRUE(catalog_->CreateCollection("a", config_).ok());
  ASSERT_TRUE(Get("a")->Update(Points(0, 50)).ok());
  auto d = CreateCollectionSnapshot(*catalog_, "a", opt_);
  ASSERT_TRUE(d.ok());
  engine::CollectionConfig other = config_;
  other.vectors[""].size = 8;
  ASSERT_TRUE(catalog_->CreateCollection("b", other).ok());
  const std::string path = CollectionSnapshotDir(opt_, "a") + "/" + d.value().name;
  base::Status st = RecoverCollectionSnapshot(*catalog_, "b", path, "", opt_);
  EXPECT_EQ(st.code(), base::StatusCode::kBadRequest);
  EXPECT_NE(st.message().find("not compatible"), std::string::npos) << st.message();
  EXPECT_EQ(Get("b")->config().vectors.at("").size, 8u);
}

TEST_F(SnapshotServiceTest, DamagedSnapshotIsRefusedAndLeavesDataUntouched) {
  ASSERT_TRUE(catalog_->CreateCollection("a", config_).ok());
  ASSERT_TRUE(Get("a")->Update(Points(0, 300)).ok());
  auto d = CreateCollectionSnapshot(*catalog_, "a", opt_);
  ASSERT_TRUE(d.ok());
  const std::string path = CollectionSnapshotDir(opt_, "a") + "/" + d.value().name;
  ASSERT_TRUE(Get("a")->Update(Points(300, 310)).ok());
  std::string bytes = fs_->ReadFile(path).value();
  // Flip one byte inside the data of a segment file (just past its 512-byte tar header).
  size_t header = 0;
  while (header < bytes.size() && bytes.compare(header, 9, "segments/") != 0) header += 512;
  ASSERT_LT(header, bytes.size());
  bytes[header + 512 + 20] ^= 0x5a;
  const std::string bad = dir_ + "/bad.snapshot";
  ASSERT_TRUE(fs_->WriteFileAtomic(bad, bytes).ok());

  base::Status st = RecoverCollectionSnapshot(*catalog_, "a", bad, "", opt_);
  EXPECT_EQ(st.code(), base::StatusCode::kBadRequest) << st.message();
  EXPECT_NE(st.message().find("is damaged: sha256"), std::string::npos) << st.message();
  st = RecoverCollectionSnapshot(*catalog_, "b", bad, "", opt_);
  EXPECT_EQ(st.code(), base::StatusCode::kBadRequest) << st.message();
  EXPECT_FALSE(catalog_->Get("b").ok());
  ASSERT_TRUE(catalog_->Get("a").ok());
  EXPECT_EQ(Get("a")->Count(std::nullopt).value(), 310u);

  // A checksum that does not match is refused before the file is read.
  st = RecoverCollectionSnapshot(*catalog_, "a", path, std::string(64, '0'), opt_);
  EXPECT_EQ(st.code(), base::StatusCode::kBadRequest);
  EXPECT_NE(st.message().find("checksum mismatch"), std::string::npos);
  EXPECT_EQ(Get("a")->Count(std::nullopt).value(), 310u);
  // No staging directories are left behind.
  auto left = fs_->ListDir(dir_ + "/storage/collections");
  ASSERT_TRUE(left.ok());
  for (const auto& n : left.value()) {
    EXPECT_NE(n.front(), '.') << n;
  }
}

TEST_F(SnapshotServiceTest, FullSnapshotHoldsEveryCollection) {
  ASSERT_TRUE(catalog_->CreateCollection("a", config_).ok());
  ASSERT_TRUE(catalog_->CreateCollection("b", config_).ok());
  ASSERT_TRUE(Get("b")->Update(Points(0, 10)).ok());
  auto d = CreateFullSnapshot(*catalog_, opt_);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d.value().name.rfind("full-snapshot-", 0), 0u);
  ASSERT_TRUE(fs_->CreateDirs(dir_ + "/full").ok());
  auto files = ExtractTar(opt_.snapshots_path + "/" + d.value().name, dir_ + "/full");
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files.value().size(), 4u);  // manifest, two collection snapshots, config.json
  std::string config = fs_->ReadFile(dir_ + "/full/config.json").value();
  EXPECT_NE(config.find("\"collections_mapping\""), std::string::npos);
  // Each inner file is a collection snapshot that recovers.
  std::string inner;
  for (const auto& f : files.value()) {
    if (f.path.rfind("b-", 0) == 0) inner = dir_ + "/full/" + f.path;
  }
  ASSERT_FALSE(inner.empty());
  ASSERT_TRUE(RecoverCollectionSnapshot(*catalog_, "b2", inner, "", opt_).ok());
  EXPECT_EQ(Get("b2")->Count(std::nullopt).value(), 10u);
}

TEST(SnapshotStoreTest, NamesAndDeletion) {
  EXPECT_TRUE(ValidateSnapshotName("a-1-2024.snapshot").ok());
  EXPECT_FALSE(ValidateSnapshotName("../x.snapshot").ok());
  EXPECT_FALSE(ValidateSnapshotName("a/b").ok());
  EXPECT_FALSE(ValidateSnapshotName("..").ok());
  EXPECT_FALSE(ValidateSnapshotName(".hidden").ok());
  EXPECT_FALSE(ValidateSnapshotName("").ok());
  EXPECT_EQ(DeleteSnapshot("/nonexistent", "x.snapshot").code(), base::StatusCode::kNotFound);
}

}  // namespace
}  // namespace quiver::ops
