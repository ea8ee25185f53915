#include "base/file_system.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace quiver::base {

class FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/quiver-fs-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { (void)fs_->RemoveAll(dir_); }
  FileSystem* fs_ = FileSystem::Default();
  std::string dir_;
};

TEST_F(FileSystemTest, AtomicWriteReplacesWholeFile) {
  std::string path = dir_ + "/f";
  ASSERT_TRUE(fs_->WriteFileAtomic(path, "first version").ok());
  ASSERT_TRUE(fs_->WriteFileAtomic(path, "second").ok());
  auto got = fs_->ReadFile(path);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got.value(), "second");
  EXPECT_FALSE(fs_->Exists(path + ".tmp"));
}

TEST_F(FileSystemTest, AppendTruncateAndList) {
  auto f = fs_->OpenAppend(dir_ + "/log");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(f.value()->Append("abcdef").ok());
  ASSERT_TRUE(f.value()->Sync().ok());
  ASSERT_TRUE(f.value()->Truncate(3).ok());
  EXPECT_EQ(f.value()->Size(), 3u);
  EXPECT_EQ(fs_->ReadFile(dir_ + "/log").value(), "abc");
  auto names = fs_->ListDir(dir_);
  ASSERT_TRUE(names.ok());
  ASSERT_EQ(names.value().size(), 1u);
  EXPECT_EQ(names.value()[0], "log");
  EXPECT_EQ(fs_->ReadFile(dir_ + "/missing").status().code(), StatusCode::kNotFound);
}

// WriteAt overwrites in place (on Linux, pwrite on the O_APPEND descriptor itself would append),
// and appends after it still go to the end; writing past the end is refused.
TEST_F(FileSystemTest, WriteAtOverwritesInPlace) {
  auto f = fs_->OpenAppend(dir_ + "/file");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(f.value()->Append("0000abcdef").ok());
  ASSERT_TRUE(f.value()->WriteAt(0, "HEAD").ok());
  ASSERT_TRUE(f.value()->Append("!").ok());
  EXPECT_EQ(f.value()->Size(), 11u);
  EXPECT_EQ(fs_->ReadFile(dir_ + "/file").value(), "HEADabcdef!");
  EXPECT_FALSE(f.value()->WriteAt(9, "xyz").ok());
  EXPECT_EQ(fs_->ReadFile(dir_ + "/file").value(), "HEADabcdef!");
}

}  // namespace quiver::base
