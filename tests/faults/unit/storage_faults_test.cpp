// Storage faults through the FileSystem seam (fault_file_system.h), on a real collection:
// a failed fsync stops acknowledgements (error, log, metric) instead of pretending; a full disk
// fails writes with InsufficientStorage, keeps reads and acknowledged data, and writes resume when
// space returns; bit flips and truncation of every stored file are detected and name the file, a
// torn WAL tail is recovered from.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/stats.h"
#include "engine/collection/collection.h"
#include "fault_file_system.h"

namespace quiver::engine {
namespace {

using base::StatusCode;
using faults::FaultFileSystem;
namespace stdfs = std::filesystem;

UpsertOp Points(int from, int to, int tag = 0) {
  UpsertOp op;
  for (int i = from; i < to; ++i) {
    PointStruct p;
    p.id = PointId::Num(i);
    p.vectors[""] = {float(i), 1, float(tag), 0};
    Value payload{Object{}};
    payload.Set("n", Value(i));
    payload.Set("tag", Value(tag));
    p.payload = payload;
    op.points.push_back(p);
  }
  return op;
}

class StorageFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/quiver-faults-XXXXXX";
    root_ = mkdtemp(tmpl);
    dir_ = root_ + "/c";
    config_.vectors[""] = VectorParams{};
    config_.vectors[""].size = 4;
    config_.vectors[""].distance = Distance::kDot;
  }
  void TearDown() override { (void)base::FileSystem::Default()->RemoveAll(root_); }

  // Update + wait for durability, as a wait=true request does.
  static base::Status UpdateDurable(Collection& c, Operation op) {
    auto id = c.Update(std::move(op));
    if (!id.ok()) return id.status();
    std::promise<base::Status> done;
    c.WhenDurable(id.value(), [&done](base::Status st) { done.set_value(std::move(st)); });
    return done.get_future().get();
  }

  // The tag of every stored point, by id.
  static std::map<uint64_t, int64_t> Tags(const Collection& c) {
    ScrollRequest req;
    req.limit = 100000;
    req.with_payload = {PayloadSelector::Mode::kAll, {}};
    auto res = c.Scroll(req);
    EXPECT_TRUE(res.ok()) << res.status().message();
    std::map<uint64_t, int64_t> out;
    if (!res.ok()) return out;
    for (const Record& r : res.value().points) out[r.id.lo] = r.payload->Find("tag")->as_int();
    return out;
  }

  static uint64_t FsyncFailuresMetric() {
    return base::StatsRegistry::Global()
        .Counter("quiver_wal_fsync_failures_total",
                 "failed write-ahead log fsyncs (the log then refuses writes)")
        .With({})
        .Value();
  }

  std::string root_, dir_;
  CollectionConfig config_;
  FaultFileSystem fs_;
};

TEST_F(StorageFaultsTest, FailedFsyncStopsAcknowledgingWritesAndSaysWhy) {
  {
    auto c = Collection::Create(&fs_, dir_, "c", config_);
    ASSERT_TRUE(c.ok()) << c.status().message();
    ASSERT_TRUE(UpdateDurable(*c.value(), Points(0, 10, 1)).ok());
    const uint64_t failures_before = FsyncFailuresMetric();

    fs_.fail_sync = true;
    base::Status st = UpdateDurable(*c.value(), Points(10, 20, 2));
    ASSERT_FALSE(st.ok()) << "a write was acknowledged although its fsync failed";
    EXPECT_NE(st.message().find("fdatasync"), std::string::npos) << st.message();
    EXPECT_GT(FsyncFailuresMetric(), failures_before);
    EXPECT_GT(fs_.syncs_failed.load(), 0);

    // Once an fsync failed the log's state is unknown: every later write is refused, even when
    // fsync works again (a retried fsync can report success for pages that were lost).
    fs_.fail_sync = false;
    base::Status later = UpdateDurable(*c.value(), Points(20, 30, 3));
    EXPECT_FALSE(later.ok()) << "writes were accepted after a failed fsync";
    // Reads keep working and never show the refused write.
    auto tags = Tags(*c.value());
    EXPECT_EQ(tags.count(25), 0u);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(tags[i], 1) << i;
  }
  // After a restart on a healthy disk every acknowledged write is there.
  auto c = Collection::Open(&fs_, dir_, "c");
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto tags = Tags(*c.value());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(tags[i], 1) << i;
  EXPECT_EQ(tags.count(25), 0u);
  EXPECT_TRUE(UpdateDurable(*c.value(), Points(30, 40, 4)).ok());
}

TEST_F(StorageFaultsTest, DiskFullFailsWritesWithInsufficientStorageAndWritesResume) {
  {
    auto c = Collection::Create(&fs_, dir_, "c", config_);
    ASSERT_TRUE(c.ok()) << c.status().message();
    ASSERT_TRUE(UpdateDurable(*c.value(), Points(0, 50, 1)).ok());

    fs_.space_left = 100;  // less than one more batch
    base::Status st = UpdateDurable(*c.value(), Points(50, 100, 2));
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.code(), StatusCode::kInsufficientStorage) << st.message();
    // Nothing of the failed write is visible; reads keep working.
    auto tags = Tags(*c.value());
    EXPECT_EQ(tags.size(), 50u);
    EXPECT_EQ(c.value()->Count(std::nullopt).value(), 50u);

    fs_.space_left = -1;  // space returns
    ASSERT_TRUE(UpdateDurable(*c.value(), Points(100, 120, 3)).ok());
    EXPECT_EQ(c.value()->Count(std::nullopt).value(), 70u);
  }
  auto c = Collection::Open(&fs_, dir_, "c");
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto tags = Tags(*c.value());
  EXPECT_EQ(tags.size(), 70u);  // the short-written record was truncated, not replayed
  for (int i = 0; i < 50; ++i) EXPECT_EQ(tags[i], 1) << i;
  for (int i = 100; i < 120; ++i) EXPECT_EQ(tags[i], 3) << i;
}

TEST_F(StorageFaultsTest, DiskFullDuringCheckpointKeepsEverything) {
  auto c = Collection::Create(&fs_, dir_, "c", config_);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_TRUE(UpdateDurable(*c.value(), Points(0, 200, 1)).ok());
  fs_.space_left = 10;
  base::Status st = c.value()->Checkpoint();
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInsufficientStorage) << st.message();
  fs_.space_left = -1;
  c.value().reset();
  auto reopened = Collection::Open(&fs_, dir_, "c");
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  EXPECT_EQ(Tags(*reopened.value()).size(), 200u);
}

// A vector file that cannot be written (the disk fills while the optimizer streams a segment's
// rows to it) loses nothing: the optimization is redone with the vectors in memory, every point
// keeps its vector, no partial file is left, and all of it survives a reopen.
TEST_F(StorageFaultsTest, DiskFullWhileWritingAVectorFileKeepsEveryVector) {
  config_.vectors[""].on_disk = true;
  config_.optimizer_config.max_segment_size = 96;  // seals ~6k points
  config_.optimizer_config.indexing_threshold = 64;
  const std::string segments = dir_ + "/segments";
  auto vector_files = [&] {
    int n = 0;
    for (const auto& e : stdfs::directory_iterator(segments))
      n += e.path().string().find(".vec") != std::string::npos;
    return n;
  };
  auto check = [](const Collection& c) {
    std::vector<PointId> ids;
    for (int i = 0; i < 7000; ++i) ids.push_back(PointId::Num(i));
    auto got = c.Retrieve(ids, {}, VectorSelector{true, {}});
    ASSERT_TRUE(got.ok()) << got.status().message();
    ASSERT_EQ(got.value().size(), 7000u);
    for (const Record& r : got.value()) {
      ASSERT_TRUE(r.vectors);
      EXPECT_EQ(r.vectors->at(""), (std::vector<float>{float(r.id.lo), 1, 1, 0})) << r.id.lo;
    }
  };
  {
    auto c = Collection::Create(&fs_, dir_, "c", config_);
    ASSERT_TRUE(c.ok()) << c.status().message();
    ASSERT_TRUE(UpdateDurable(*c.value(), Points(0, 7000, 1)).ok());
    fs_.space_left = 100000;  // less than the sealed segment's 96 KB of vectors
    for (int i = 0; i < 10 && c.value()->OptimizeStep(2); ++i) {
    }
    EXPECT_FALSE(c.value()->OptimizationPending());
    EXPECT_GT(c.value()->Info().indexed_vectors_count, 0u);
    EXPECT_EQ(vector_files(), 0);
    check(*c.value());
    fs_.space_left = -1;
    ASSERT_TRUE(c.value()->Checkpoint().ok());
  }
  auto reopened = Collection::Open(&fs_, dir_, "c");
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  check(*reopened.value());
}

// Builds a collection with a sealed, indexed segment (with its HNSW file), an appendable segment,
// a payload index, a checkpoint, and WAL records after the checkpoint.
void BuildStoredCollection(base::FileSystem* fs, const std::string& dir, CollectionConfig config) {
  config.optimizer_config.max_segment_size = 96;
  config.optimizer_config.indexing_threshold = 64;
  auto c = Collection::Create(fs, dir, "c", config);
  ASSERT_TRUE(c.ok()) << c.status().message();
  UpsertOp op;
  std::mt19937 rng(7);
  std::normal_distribution<float> g(0, 1);
  for (int i = 0; i < 7000; ++i) {
    PointStruct p;
    p.id = PointId::Num(i);
    p.vectors[""] = {g(rng), g(rng), g(rng), 1};
    Value payload{Object{}};
    payload.Set("tag", Value(1));
    p.payload = payload;
    op.points.push_back(p);
  }
  ASSERT_TRUE(c.value()->Update(op).ok());
  ASSERT_TRUE(c.value()->CreatePayloadIndex("tag", {"integer", ""}).ok());
  while (c.value()->OptimizeStep(2)) {
  }
  ASSERT_GT(c.value()->Info().indexed_vectors_count, 0u);
  ASSERT_TRUE(c.value()->Checkpoint().ok());
  for (int k = 0; k < 20; ++k) {
    ASSERT_TRUE(c.value()->Update(Points(7000 + k, 7001 + k, 2)).ok());
  }
}

std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : stdfs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool IsWal(const std::string& path) { return path.size() > 4 && path.ends_with(".wal"); }

TEST_F(StorageFaultsTest, DamageToAnyStoredFileIsDetectedAndNamesTheFile) {
  const std::string built = root_ + "/built";
  BuildStoredCollection(base::FileSystem::Default(), built, config_);
  if (HasFatalFailure()) return;
  std::vector<std::string> files = FilesUnder(built);
  std::set<std::string> kinds;
  for (const std::string& f : files) kinds.insert(stdfs::path(f).extension().string());
  ASSERT_TRUE(kinds.count(".wal") && kinds.count(".hnsw")) << "expected WAL and HNSW files";

  int cases = 0;
  for (const std::string& original : files) {
    const std::string rel = original.substr(built.size());
    const std::string name = stdfs::path(original).filename().string();
    const size_t size = stdfs::file_size(original);
    struct Damage {
      const char* what;
      std::function<void(std::string&)> apply;
    };
    std::vector<Damage> damages = {
        {"bit flip at 1/3", [](std::string& d) { d[d.size() / 3] ^= 0x10; }},
        {"bit flip in the first bytes",
         [](std::string& d) { d[std::min<size_t>(9, d.size() - 1)] ^= 1; }},
        {"truncated to half", [](std::string& d) { d.resize(d.size() / 2); }},
    };
    for (const Damage& damage : damages) {
      if (size < 2) continue;
      stdfs::remove_all(dir_);
      stdfs::copy(built, dir_, stdfs::copy_options::recursive);
      const std::string target = dir_ + rel;
      fs_.SetDamage([&](const std::string& path, std::string& data) {
        if (path == target && !data.empty()) damage.apply(data);
      });
      auto c = Collection::Open(&fs_, dir_, "c");
      fs_.SetDamage(nullptr);
      ++cases;
      if (IsWal(target) && !c.ok()) {
        EXPECT_EQ(c.status().code(), StatusCode::kCorruption)
            << rel << ": " << c.status().message();
        EXPECT_NE(c.status().message().find(name), std::string::npos)
            << rel << " (" << damage.what << "): " << c.status().message();
        continue;
      }
      if (IsWal(target)) {
        // Only damage to the last records of the last file is a torn tail: those records are
        // dropped, everything before them is served unchanged. A flipped bit in the header or in
        // the middle is never a torn tail.
        ASSERT_TRUE(std::string_view(damage.what).starts_with("truncated"))
            << rel << " (" << damage.what << ") was read as a torn tail";
        auto tags = Tags(*c.value());
        for (int i = 0; i < 7000; ++i)
          ASSERT_EQ(tags[i], 1) << rel << " " << damage.what << " id " << i;
        for (const auto& [id, tag] : tags) EXPECT_TRUE(id < 7000 ? tag == 1 : tag == 2) << id;
        continue;
      }
      ASSERT_FALSE(c.ok()) << rel << " (" << damage.what << ") was opened and served";
      EXPECT_EQ(c.status().code(), StatusCode::kCorruption) << rel << ": " << c.status().message();
      EXPECT_NE(c.status().message().find(name), std::string::npos)
          << rel << " (" << damage.what << "): " << c.status().message();
    }
  }
  EXPECT_GE(cases, 9);
}

TEST_F(StorageFaultsTest, TornWalTailIsTruncatedAndWritesContinue) {
  {
    auto c = Collection::Create(base::FileSystem::Default(), dir_, "c", config_);
    ASSERT_TRUE(c.ok());
    for (int k = 0; k < 10; ++k) ASSERT_TRUE(c.value()->Update(Points(k, k + 1, 1)).ok());
  }
  std::string wal;
  for (const std::string& f : FilesUnder(dir_)) {
    if (IsWal(f)) wal = f;
  }
  ASSERT_FALSE(wal.empty());
  stdfs::resize_file(wal, stdfs::file_size(wal) - 5);  // the last record loses its end
  {
    auto c = Collection::Open(&fs_, dir_, "c");
    ASSERT_TRUE(c.ok()) << c.status().message();
    auto tags = Tags(*c.value());
    EXPECT_EQ(tags.size(), 9u);
    EXPECT_EQ(tags.count(9), 0u);
    ASSERT_TRUE(UpdateDurable(*c.value(), Points(20, 21, 5)).ok());
  }
  auto c = Collection::Open(&fs_, dir_, "c");
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto tags = Tags(*c.value());
  EXPECT_EQ(tags.size(), 10u);
  EXPECT_EQ(tags[20], 5);
}

}  // namespace
}  // namespace quiver::engine
