#include "engine/wal/wal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace quiver::engine {
namespace {

using base::Status;
using base::StatusCode;
using Records = std::vector<std::pair<uint64_t, std::string>>;

// Delegates to the POSIX file system, counting fsyncs and failing them on demand.
class CountingFs : public base::FileSystem {
 public:
  std::atomic<int> syncs{0};
  std::atomic<bool> fail_sync{false};

  base::Result<std::unique_ptr<base::AppendFile>> OpenAppend(const std::string& path) override {
    auto f = real_->OpenAppend(path);
    if (!f.ok()) return f.status();
    return std::unique_ptr<base::AppendFile>(new File(this, std::move(f).value()));
  }
  base::Result<std::string> ReadFile(const std::string& p) override { return real_->ReadFile(p); }
  Status WriteFileAtomic(const std::string& p, std::string_view d) override {
    return real_->WriteFileAtomic(p, d);
  }
  Status CreateDirs(const std::string& p) override { return real_->CreateDirs(p); }
  Status SyncDir(const std::string& p) override { return real_->SyncDir(p); }
  Status Rename(const std::string& a, const std::string& b) override { return real_->Rename(a, b); }
  Status Remove(const std::string& p) override { return real_->Remove(p); }
  Status RemoveAll(const std::string& p) override { return real_->RemoveAll(p); }
  bool Exists(const std::string& p) override { return real_->Exists(p); }
  base::Result<std::vector<std::string>> ListDir(const std::string& p) override {
    return real_->ListDir(p);
  }
  base::Result<uint64_t> FreeBytes(const std::string& p) override { return real_->FreeBytes(p); }

 private:
  class File : public base::AppendFile {
   public:
    File(CountingFs* fs, std::unique_ptr<base::AppendFile> f) : fs_(fs), f_(std::move(f)) {}
    Status Append(std::string_view d) override { return f_->Append(d); }
    Status Sync() override {
      if (fs_->fail_sync) return Status::Internal("injected fsync failure");
      ++fs_->syncs;
      return f_->Sync();
    }
    Status Truncate(uint64_t s) override { return f_->Truncate(s); }
    Status WriteAt(uint64_t o, std::string_view d) override { return f_->WriteAt(o, d); }
    uint64_t Size() const override { return f_->Size(); }

   private:
    CountingFs* fs_;
    std::unique_ptr<base::AppendFile> f_;
  };
  base::FileSystem* real_ = base::FileSystem::Default();
};

class WalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/quiver-wal-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { (void)fs_.RemoveAll(dir_); }

  base::Result<std::unique_ptr<Wal>> Open(Records* out, uint64_t after_op = 0,
                                          WalOptions options = {}) {
    return Wal::Open(
        &fs_, dir_, after_op,
        [out](uint64_t op, std::string_view payload) {
          out->emplace_back(op, std::string(payload));
          return Status::Ok();
        },
        options);
  }

  std::unique_ptr<Wal> OpenOk(Records* out, uint64_t after_op = 0, WalOptions options = {}) {
    auto wal = Open(out, after_op, options);
    EXPECT_TRUE(wal.ok()) << wal.status().message();
    return wal.ok() ? std::move(wal).value() : nullptr;
  }

  std::vector<std::string> WalFiles() {
    std::vector<std::string> out;
    auto names = fs_.ListDir(dir_);
    for (const auto& name : names.value()) {
      if (name.size() > 4 && name.substr(name.size() - 4) == ".wal") out.push_back(name);
    }
    return out;
  }

  std::string Path(const std::string& name) { return dir_ + "/" + name; }

  // Writes records 1..3 ("alpha", a 40-byte payload, "gamma-record") into one file and returns
  // the file's bytes and the offsets where records 2 and 3 start.
  std::string ThreeRecords(size_t* second, size_t* third) {
    Records unused;
    auto wal = OpenOk(&unused);
    EXPECT_TRUE(wal->Append(1, "alpha").ok());
    *second = wal->SizeBytes();
    EXPECT_TRUE(wal->Append(2, std::string(40, 'b')).ok());
    *third = wal->SizeBytes();
    EXPECT_TRUE(wal->Append(3, "gamma-record").ok());
    wal.reset();
    return fs_.ReadFile(Path(WalFiles().at(0))).value();
  }

  CountingFs fs_;
  std::string dir_;
};

TEST_F(WalTest, AppendReopenReplay) {
  Records got;
  auto wal = OpenOk(&got);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(wal->LastOpId(), 0u);
  ASSERT_TRUE(wal->Append(1, "one").ok());
  ASSERT_TRUE(wal->Append(2, "").ok());
  ASSERT_TRUE(wal->Append(5, std::string(1000, 'x')).ok());
  EXPECT_EQ(wal->Append(5, "again").code(), StatusCode::kInternal);
  EXPECT_TRUE(wal->SyncNow().ok());
  EXPECT_EQ(wal->LastOpId(), 5u);
  wal.reset();

  wal = OpenOk(&got);
  Records want = {{1, "one"}, {2, ""}, {5, std::string(1000, 'x')}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(wal->LastOpId(), 5u);
  ASSERT_TRUE(wal->Append(6, "six").ok());
  wal.reset();
  got.clear();
  wal = OpenOk(&got);
  want.emplace_back(6, "six");
  EXPECT_EQ(got, want);
  EXPECT_EQ(WalFiles().size(), 1u);
  EXPECT_EQ(WalFiles()[0], "00000000000000000001.wal");
}

TEST_F(WalTest, AfterOpSkipsOlderRecords) {
  Records got;
  auto wal = OpenOk(&got);
  for (uint64_t op = 1; op <= 10; ++op) ASSERT_TRUE(wal->Append(op, std::to_string(op)).ok());
  wal.reset();
  wal = OpenOk(&got, 7);
  Records want = {{8, "8"}, {9, "9"}, {10, "10"}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(wal->LastOpId(), 10u);
}

TEST_F(WalTest, ReplayErrorStopsOpen) {
  Records got;
  auto wal = OpenOk(&got);
  ASSERT_TRUE(wal->Append(1, "a").ok());
  ASSERT_TRUE(wal->Append(2, "b").ok());
  wal.reset();
  int calls = 0;
  auto res = Wal::Open(&fs_, dir_, 0, [&](uint64_t, std::string_view) {
    ++calls;
    return Status::BadInput("stop");
  });
  EXPECT_EQ(res.status().code(), StatusCode::kBadInput);
  EXPECT_EQ(calls, 1);
}

TEST_F(WalTest, TornTailAtEveryOffsetIsTruncated) {
  size_t second = 0, third = 0;
  std::string full = ThreeRecords(&second, &third);
  std::string name = WalFiles().at(0);
  for (size_t cut = third; cut < full.size(); ++cut) {
    for (bool zero_fill : {false, true}) {
      SCOPED_TRACE("cut at " + std::to_string(cut) + (zero_fill ? " zero-filled" : ""));
      std::string bytes = full.substr(0, cut);
      if (zero_fill) bytes.resize(full.size() + 7, '\0');
      ASSERT_TRUE(fs_.WriteFileAtomic(Path(name), bytes).ok());
      Records got;
      auto wal = OpenOk(&got);
      ASSERT_NE(wal, nullptr);
      Records want = {{1, "alpha"}, {2, std::string(40, 'b')}};
      EXPECT_EQ(got, want);
      EXPECT_EQ(wal->LastOpId(), 2u);
      EXPECT_EQ(wal->SizeBytes(), third);
      ASSERT_TRUE(wal->Append(3, "after-repair").ok());
      wal.reset();
      got.clear();
      wal = OpenOk(&got);
      want.emplace_back(3, "after-repair");
      EXPECT_EQ(got, want);
    }
  }
}

TEST_F(WalTest, FlippedByteInMiddleRecordIsCorruption) {
  size_t second = 0, third = 0;
  std::string full = ThreeRecords(&second, &third);
  std::string name = WalFiles().at(0);
  for (size_t at = second; at < third; ++at) {
    SCOPED_TRACE("flip at " + std::to_string(at));
    std::string bytes = full;
    bytes[at] ^= 0x40;
    ASSERT_TRUE(fs_.WriteFileAtomic(Path(name), bytes).ok());
    Records got;
    auto wal = Open(&got);
    ASSERT_FALSE(wal.ok());
    EXPECT_EQ(wal.status().code(), StatusCode::kCorruption);
    EXPECT_NE(wal.status().message().find(name), std::string::npos);
    EXPECT_NE(wal.status().message().find("offset " + std::to_string(second)), std::string::npos)
        << wal.status().message();
  }
}

TEST_F(WalTest, BadCrcFollowedByGarbageIsCorruption) {
  size_t second = 0, third = 0;
  std::string full = ThreeRecords(&second, &third);
  std::string bytes = full;
  bytes[third + 20] ^= 1;  // payload of the last record
  bytes += "junk";
  ASSERT_TRUE(fs_.WriteFileAtomic(Path(WalFiles().at(0)), bytes).ok());
  Records got;
  EXPECT_EQ(Open(&got).status().code(), StatusCode::kCorruption);
}

TEST_F(WalTest, HeaderCorruptionIsCorruption) {
  size_t second = 0, third = 0;
  std::string full = ThreeRecords(&second, &third);
  std::string name = WalFiles().at(0);
  for (size_t at = 0; at < 24; ++at) {
    SCOPED_TRACE("flip at " + std::to_string(at));
    std::string bytes = full;
    bytes[at] ^= 0x01;
    ASSERT_TRUE(fs_.WriteFileAtomic(Path(name), bytes).ok());
    Records got;
    auto wal = Open(&got);
    EXPECT_EQ(wal.status().code(), StatusCode::kCorruption);
    EXPECT_NE(wal.status().message().find(name), std::string::npos);
  }
}

TEST_F(WalTest, DamageInEarlierFileIsCorruption) {
  Records got;
  auto wal = OpenOk(&got, 0, WalOptions{.file_capacity_bytes = 64});
  for (uint64_t op = 1; op <= 6; ++op) ASSERT_TRUE(wal->Append(op, "0123456789abcdef").ok());
  wal.reset();
  auto files = WalFiles();
  ASSERT_GE(files.size(), 2u);
  std::string first = fs_.ReadFile(Path(files[0])).value();
  // A cut-short tail is only a torn write in the last file.
  ASSERT_TRUE(fs_.WriteFileAtomic(Path(files[0]), first.substr(0, first.size() - 3)).ok());
  EXPECT_EQ(Open(&got).status().code(), StatusCode::kCorruption);
  // So is a bad header.
  std::string bad = first;
  bad[0] = 'X';
  ASSERT_TRUE(fs_.WriteFileAtomic(Path(files[0]), bad).ok());
  EXPECT_EQ(Open(&got).status().code(), StatusCode::kCorruption);
}

TEST_F(WalTest, LastFileWithIncompleteHeaderIsRewritten) {
  Records got;
  auto wal = OpenOk(&got);
  ASSERT_TRUE(wal->Append(1, "a").ok());
  wal.reset();
  // A crash right after creating the next file leaves it empty, short or zero-filled.
  for (std::string bytes : {std::string(), std::string("QVRW"), std::string(24, '\0')}) {
    ASSERT_TRUE(fs_.WriteFileAtomic(Path("00000000000000000002.wal"), bytes).ok());
    got.clear();
    wal = OpenOk(&got);
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(got, (Records{{1, "a"}}));
    ASSERT_TRUE(wal->Append(2, "b").ok());
    wal.reset();
    got.clear();
    wal = OpenOk(&got);
    EXPECT_EQ(got, (Records{{1, "a"}, {2, "b"}}));
    wal.reset();
    ASSERT_TRUE(fs_.Remove(Path("00000000000000000002.wal")).ok());
  }
}

TEST_F(WalTest, RollsByCapacity) {
  Records got;
  auto wal = OpenOk(&got, 0, WalOptions{.file_capacity_bytes = 100});
  for (uint64_t op = 1; op <= 20; ++op) ASSERT_TRUE(wal->Append(op, std::string(50, 'p')).ok());
  auto files = WalFiles();
  EXPECT_GE(files.size(), 9u);
  uint64_t total = 0;
  for (const auto& f : files) {
    std::string bytes = fs_.ReadFile(Path(f)).value();
    total += bytes.size();
    EXPECT_LE(bytes.size(), 100u + 16 + 50) << f;
  }
  EXPECT_EQ(wal->SizeBytes(), total);
  wal.reset();
  wal = OpenOk(&got, 0, WalOptions{.file_capacity_bytes = 100});
  ASSERT_EQ(got.size(), 20u);
  for (uint64_t op = 1; op <= 20; ++op) EXPECT_EQ(got[op - 1].first, op);
  ASSERT_TRUE(wal->Append(21, "x").ok());
}

TEST_F(WalTest, TruncateUpToRemovesCoveredFiles) {
  Records got;
  WalOptions options{.file_capacity_bytes = 100};
  auto wal = OpenOk(&got, 0, options);
  for (uint64_t op = 1; op <= 30; ++op) ASSERT_TRUE(wal->Append(op, std::string(40, 'q')).ok());
  size_t before = WalFiles().size();
  ASSERT_TRUE(wal->TruncateUpTo(17).ok());
  auto files = WalFiles();
  EXPECT_LT(files.size(), before);
  ASSERT_TRUE(wal->Append(31, "tail").ok());
  wal.reset();

  wal = OpenOk(&got, 0, options);
  ASSERT_FALSE(got.empty());
  EXPECT_LE(got.front().first, 18u);  // nothing above the checkpoint is lost
  EXPECT_GT(got.front().first, 14u);  // files holding only ops <= 17 are gone
  for (size_t i = 1; i < got.size(); ++i) EXPECT_EQ(got[i].first, got[i - 1].first + 1);
  EXPECT_EQ(got.back(), (std::pair<uint64_t, std::string>{31, "tail"}));

  // Truncating everything leaves one empty file; replay then yields nothing.
  ASSERT_TRUE(wal->TruncateUpTo(31).ok());
  EXPECT_EQ(WalFiles(), std::vector<std::string>{"00000000000000000032.wal"});
  wal.reset();
  got.clear();
  wal = OpenOk(&got, 0, options);
  EXPECT_TRUE(got.empty());
  ASSERT_TRUE(wal->Append(32, "next").ok());
  EXPECT_TRUE(wal->TruncateUpTo(0).ok());
}

TEST_F(WalTest, GroupCommitManyThreads) {
  Records got;
  auto wal = OpenOk(&got, 0, WalOptions{.file_capacity_bytes = 4096});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 300;
  constexpr int kTotal = kThreads * kPerThread;
  std::vector<std::atomic<int>> calls(kTotal + 1);
  std::atomic<int> failures{0};
  std::mutex order;
  uint64_t next = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        uint64_t op;
        {
          std::lock_guard<std::mutex> lock(order);
          op = ++next;
          if (!wal->Append(op, "payload " + std::to_string(op)).ok()) ++failures;
        }
        wal->WhenDurable(op, [&, op](Status st) {
          if (!st.ok()) ++failures;
          ++calls[op];
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(wal->SyncNow().ok());
  wal.reset();
  EXPECT_EQ(failures.load(), 0);
  for (int op = 1; op <= kTotal; ++op) ASSERT_EQ(calls[op].load(), 1) << op;
  EXPECT_LT(fs_.syncs.load(), kTotal);
  got.clear();
  wal = OpenOk(&got);
  EXPECT_EQ(got.size(), static_cast<size_t>(kTotal));
}

TEST_F(WalTest, DurableOpCompletesInlineAndCloseFailsUnappended) {
  Records got;
  auto wal = OpenOk(&got);
  ASSERT_TRUE(wal->Append(1, "a").ok());
  ASSERT_TRUE(wal->SyncNow().ok());
  bool inline_called = false;
  wal->WhenDurable(1, [&](Status st) { inline_called = st.ok(); });
  EXPECT_TRUE(inline_called);
  std::atomic<int> ok{0}, failed{0};
  ASSERT_TRUE(wal->Append(2, "b").ok());
  wal->WhenDurable(2, [&](Status st) { ++(st.ok() ? ok : failed); });
  wal->WhenDurable(9, [&](Status st) { ++(st.ok() ? ok : failed); });  // never appended
  wal.reset();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(failed.load(), 1);
}

TEST_F(WalTest, FailedSyncFailsWaitersAndLaterAppends) {
  Records got;
  auto wal = OpenOk(&got);
  ASSERT_TRUE(wal->Append(1, "a").ok());
  ASSERT_TRUE(wal->SyncNow().ok());
  fs_.fail_sync = true;
  ASSERT_TRUE(wal->Append(2, "b").ok());
  Status st = wal->SyncNow();
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(wal->Append(3, "c").ok());
  Status late;
  wal->WhenDurable(2, [&](Status s) { late = s; });
  EXPECT_FALSE(late.ok());
  fs_.fail_sync = false;
  wal.reset();
}

}  // namespace
}  // namespace quiver::engine
