#include "ops/objstore/local_object_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "ops/objstore/open_object_store.h"

namespace quiver::ops {
namespace {
namespace fs = std::filesystem;

fs::path TempDir() {
  fs::path d = fs::temp_directory_path() /
               ("objstore-test-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
  fs::create_directories(d);
  return d;
}

TEST(ObjectKey, RejectsEscapesAndOddKeys) {
  EXPECT_TRUE(ValidateObjectKey("2026-01-01T00-00-00Z/MANIFEST.json").ok());
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../b", "a//b", "a/./b", "a/", "a\\b",
                          ".tmp-1/x", "a/.tmp-2"}) {
    EXPECT_FALSE(ValidateObjectKey(bad).ok()) << bad;
  }
  EXPECT_FALSE(ValidateObjectKey(std::string("a\nb")).ok());
  EXPECT_FALSE(ValidateObjectKey(std::string(2000, 'a')).ok());
}

TEST(LocalObjectStore, PutGetListDelete) {
  fs::path root = TempDir();
  auto store = LocalObjectStore::Open(root / "sub");
  ASSERT_TRUE(store.ok()) << store.status().message();
  ObjectStore& s = **store;
  ASSERT_TRUE(s.PutBytes("b1/MANIFEST.json", "{}").ok());
  fs::path src = root / "src.bin";
  std::ofstream(src) << std::string(3 << 20, 'x');
  ASSERT_TRUE(s.PutFile("b1/c-0.snapshot", src).ok());
  ASSERT_TRUE(s.PutBytes("b2/x", "yy").ok());
  auto list = s.List("b1/");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].key, "b1/MANIFEST.json");
  EXPECT_EQ((*list)[1].key, "b1/c-0.snapshot");
  EXPECT_EQ((*list)[1].size, 3u << 20);
  EXPECT_EQ(s.List("")->size(), 3u);
  EXPECT_EQ(s.GetBytes("b2/x").value(), "yy");
  fs::path out = root / "out.bin";
  ASSERT_TRUE(s.GetToFile("b1/c-0.snapshot", out).ok());
  EXPECT_EQ(fs::file_size(out), 3u << 20);
  EXPECT_EQ(s.GetBytes("nope").status().code(), base::StatusCode::kNotFound);
  EXPECT_FALSE(s.GetBytes("../src.bin").ok());
  EXPECT_FALSE(s.PutBytes("../escape", "x").ok());
  EXPECT_FALSE(fs::exists(root / "escape"));
  ASSERT_TRUE(s.Delete("b2/x").ok());
  ASSERT_TRUE(s.Delete("b2/x").ok());  // missing: not an error
  EXPECT_FALSE(fs::exists(root / "sub" / "b2"));
  EXPECT_EQ(s.List("")->size(), 2u);
  fs::remove_all(root);
}

TEST(LocalObjectStore, TempFilesAndSymlinksAreNotListed) {
  fs::path root = TempDir();
  auto store = LocalObjectStore::Open(root);
  ASSERT_TRUE(store.ok());
  std::ofstream(root / ".tmp-123") << "partial";
  fs::create_directories(root / "b");
  std::ofstream(root / "b" / ".tmp-9") << "partial";
  fs::create_symlink("/etc/passwd", root / "b" / "link");
  EXPECT_TRUE((*store)->List("")->empty());
  EXPECT_FALSE((*store)->GetBytes("b/link").ok());
  fs::remove_all(root);
}

TEST(OpenObjectStore, Schemes) {
  fs::path root = TempDir();
  S3Options s3;
  auto a = OpenObjectStore("file://" + root.string(), s3);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ((*a)->Describe(), "file://" + root.string());
  EXPECT_TRUE(OpenObjectStore(root.string(), s3).ok());
  EXPECT_FALSE(OpenObjectStore("file://relative/dir", s3).ok());
  EXPECT_FALSE(OpenObjectStore("ftp://host/x", s3).ok());
  EXPECT_FALSE(OpenObjectStore("", s3).ok());
  EXPECT_TRUE(IsS3Url("s3://bucket/prefix"));
  fs::remove_all(root);
}

}  // namespace
}  // namespace quiver::ops
