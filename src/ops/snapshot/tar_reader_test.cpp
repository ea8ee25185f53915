#include "ops/snapshot/tar_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <functional>

#include "base/file_system.h"
#include "ops/snapshot/sha256.h"
#include "ops/snapshot/tar_writer.h"

namespace quiver::ops {
namespace {

struct Entry {
  std::string name;
  mode_t type = AE_IFREG;
  std::string data;
  std::string link;  // symlink target, or hardlink target when `hard`
  bool hard = false;
};

class TarReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/quiver-tar-XXXXXX";
    dir_ = mkdtemp(tmpl);
    ASSERT_TRUE(fs_->CreateDirs(dir_ + "/out").ok());
  }
  void TearDown() override { (void)fs_->RemoveAll(dir_); }

  // Writes a tar with libarchive directly, so that entries our writer never makes can be built.
  std::string MakeTar(const std::vector<Entry>& entries, bool gzip = false) {
    std::string path = dir_ + "/in.tar";
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (gzip) archive_write_add_filter_gzip(a);
    EXPECT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
    for (const auto& e : entries) {
      struct archive_entry* ae = archive_entry_new();
      archive_entry_set_pathname(ae, e.name.c_str());
      archive_entry_set_filetype(ae, e.type);
      archive_entry_set_perm(ae, 0644);
      if (e.type == AE_IFLNK) archive_entry_set_symlink(ae, e.link.c_str());
      if (e.hard) archive_entry_set_hardlink(ae, e.link.c_str());
      archive_entry_set_size(ae, e.type == AE_IFREG && !e.hard ? e.data.size() : 0);
      EXPECT_EQ(archive_write_header(a, ae), ARCHIVE_OK) << archive_error_string(a);
      if (e.type == AE_IFREG && !e.data.empty() && !e.hard) {
        archive_write_data(a, e.data.data(), e.data.size());
      }
      archive_entry_free(ae);
    }
    archive_write_close(a);
    archive_write_free(a);
    return path;
  }

  void ExpectRejected(const std::vector<Entry>& entries, const std::string& what,
                      TarLimits limits = {}) {
    auto r = ExtractTar(MakeTar(entries), dir_ + "/out", limits);
    ASSERT_FALSE(r.ok()) << "accepted a tar with " << what;
    EXPECT_EQ(r.status().code(), base::StatusCode::kBadRequest) << r.status().message();
    EXPECT_FALSE(fs_->Exists(dir_ + "/escaped")) << what;
  }

  std::string dir_;
  base::FileSystem* fs_ = base::FileSystem::Default();
};

TEST_F(TarReaderTest, ExtractsWhatTheWriterWrote) {
  auto w = TarWriter::Create(dir_ + "/ok.tar");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w.value()->AddBytes("manifest.json", "{}").ok());
  ASSERT_TRUE(fs_->WriteFileAtomic(dir_ + "/src.dat", std::string(100000, 'x')).ok());
  ASSERT_TRUE(w.value()->AddFile("segments/1-1.dat", dir_ + "/src.dat").ok());
  ASSERT_TRUE(w.value()->AddBytes("segments/empty.del", "").ok());
  ASSERT_TRUE(w.value()->Close().ok());
  auto r = ExtractTar(dir_ + "/ok.tar", dir_ + "/out");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 3u);
  EXPECT_EQ(r.value()[1].path, "segments/1-1.dat");
  EXPECT_EQ(r.value()[1].size, 100000u);
  EXPECT_EQ(r.value()[1].sha256, Sha256Hex(std::string(100000, 'x')));
  EXPECT_EQ(fs_->ReadFile(dir_ + "/out/segments/1-1.dat").value(), std::string(100000, 'x'));
  EXPECT_EQ(fs_->ReadFile(dir_ + "/out/manifest.json").value(), "{}");
}

TEST_F(TarReaderTest, AcceptsDirectoryEntriesAndLeadingDotSlash) {
  auto r = ExtractTar(
      MakeTar({{"./", AE_IFDIR}, {"./segments/", AE_IFDIR}, {"./segments/a.dat", AE_IFREG, "abc"}}),
      dir_ + "/out");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value()[0].path, "segments/a.dat");
}

TEST_F(TarReaderTest, RejectsParentDirectoryComponents) {
  ExpectRejected({{"../escaped", AE_IFREG, "x"}}, "../");
  ExpectRejected({{"segments/../../escaped", AE_IFREG, "x"}}, "a/../../");
  ExpectRejected({{"segments/..", AE_IFDIR}}, "a trailing ..");
}

TEST_F(TarReaderTest, RejectsAbsolutePaths) {
  ExpectRejected({{dir_ + "/escaped", AE_IFREG, "x"}}, "an absolute path");
}

TEST_F(TarReaderTest, RejectsOddCharactersAndEmptyComponents) {
  ExpectRejected({{"a\\b", AE_IFREG, "x"}}, "a backslash");
  ExpectRejected({{"a//b", AE_IFREG, "x"}}, "an empty component");
  ExpectRejected({{"a/./b", AE_IFREG, "x"}}, "a . component");
}

TEST_F(TarReaderTest, RejectsSymbolicLinks) {
  ExpectRejected({{"link", AE_IFLNK, "", dir_ + "/escaped"}}, "a symlink");
  // The classic: a symlinked directory, then a file written through it.
  ExpectRejected({{"segments", AE_IFLNK, "", dir_}, {"segments/escaped", AE_IFREG, "x"}},
                 "a file through a symlinked directory");
}

TEST_F(TarReaderTest, RejectsHardLinks) {
  ExpectRejected({{"a", AE_IFREG, "x"}, {"b", AE_IFREG, "", "a", true}}, "a hard link");
}

TEST_F(TarReaderTest, RejectsDevicesAndFifos) {
  ExpectRejected({{"dev", AE_IFCHR}}, "a character device");
  ExpectRejected({{"blk", AE_IFBLK}}, "a block device");
  ExpectRejected({{"fifo", AE_IFIFO}}, "a FIFO");
}

TEST_F(TarReaderTest, RejectsDuplicateEntries) {
  ExpectRejected({{"a.dat", AE_IFREG, "x"}, {"a.dat", AE_IFREG, "y"}}, "a duplicate");
  ExpectRejected({{"a.dat", AE_IFREG, "x"}, {"./a.dat", AE_IFREG, "y"}}, "a duplicate via ./");
}

TEST_F(TarReaderTest, RejectsOversizedEntriesAndTotals) {
  TarLimits limits;
  limits.max_entry_bytes = 10;
  ExpectRejected({{"big", AE_IFREG, std::string(11, 'x')}}, "an oversized entry", limits);
  limits.max_entry_bytes = 100;
  limits.max_total_bytes = 15;
  ExpectRejected({{"a", AE_IFREG, std::string(10, 'x')}, {"b", AE_IFREG, std::string(10, 'x')}},
                 "an oversized total", limits);
  limits.max_total_bytes = 1000;
  limits.max_entries = 1;
  ExpectRejected({{"a", AE_IFREG, "x"}, {"b", AE_IFREG, "y"}}, "too many entries", limits);
}

TEST_F(TarReaderTest, RejectsCompressedTruncatedAndNonTarFiles) {
  auto gz = ExtractTar(MakeTar({{"a", AE_IFREG, "x"}}, /*gzip=*/true), dir_ + "/out");
  EXPECT_EQ(gz.status().code(), base::StatusCode::kBadRequest);
  ASSERT_TRUE(fs_->WriteFileAtomic(dir_ + "/junk.tar", std::string(5000, 'j')).ok());
  EXPECT_EQ(ExtractTar(dir_ + "/junk.tar", dir_ + "/out").status().code(),
            base::StatusCode::kBadRequest);
  std::string full = fs_->ReadFile(MakeTar({{"a", AE_IFREG, std::string(3000, 'x')}})).value();
  ASSERT_TRUE(fs_->WriteFileAtomic(dir_ + "/cut.tar", full.substr(0, 1500)).ok());
  ASSERT_TRUE(fs_->CreateDirs(dir_ + "/out2").ok());
  auto cut = ExtractTar(dir_ + "/cut.tar", dir_ + "/out2");
  EXPECT_EQ(cut.status().code(), base::StatusCode::kBadRequest) << cut.status().message();
}

TEST(NormalizeTarPathTest, Names) {
  EXPECT_EQ(NormalizeTarPath("segments/1-2.dat").value(), "segments/1-2.dat");
  EXPECT_EQ(NormalizeTarPath("./collection.meta").value(), "collection.meta");
  EXPECT_EQ(NormalizeTarPath("segments/").value(), "segments");
  EXPECT_FALSE(NormalizeTarPath("").ok());
  EXPECT_FALSE(NormalizeTarPath("/etc/passwd").ok());
  EXPECT_FALSE(NormalizeTarPath("..").ok());
  EXPECT_FALSE(NormalizeTarPath("a b").ok());
  EXPECT_FALSE(NormalizeTarPath("a/b/c/d/e/f/g/h/i").ok());
}

}  // namespace
}  // namespace quiver::ops
