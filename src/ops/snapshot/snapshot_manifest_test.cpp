#include "ops/snapshot/snapshot_manifest.h"

#include <gtest/gtest.h>

namespace quiver::ops {
namespace {

const std::string kSha(64, 'a');

SnapshotManifest Sample() {
  SnapshotManifest m;
  m.quiver_version = "0.1.0";
  m.created = "2026-01-02T03:04:05";
  m.collection = "books";
  m.config_json = R"({"params":{"vectors":{"size":4}}})";
  m.files = {{"collection.meta", 10, kSha}, {"segments/1-1.dat", 20, std::string(64, 'b')}};
  return m;
}

TEST(SnapshotManifestTest, RoundTrip) {
  auto parsed = ParseManifest(RenderManifest(Sample()));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed.value().collection, "books");
  EXPECT_EQ(parsed.value().kind, "collection");
  EXPECT_EQ(parsed.value().quiver_version, "0.1.0");
  EXPECT_EQ(parsed.value().config_json, Sample().config_json);
  ASSERT_EQ(parsed.value().files.size(), 2u);
  EXPECT_EQ(parsed.value().files[1].path, "segments/1-1.dat");
  EXPECT_EQ(parsed.value().files[1].size, 20u);
}

TEST(SnapshotManifestTest, RejectsOtherVersionsAndGarbage) {
  SnapshotManifest m = Sample();
  m.format_version = 2;
  auto r = ParseManifest(RenderManifest(m));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kBadRequest);
  EXPECT_NE(r.status().message().find("unsupported snapshot format version 2"), std::string::npos);
  EXPECT_FALSE(ParseManifest("not json").ok());
  EXPECT_FALSE(ParseManifest(R"({"format":"other","format_version":1,"files":[]})").ok());
  EXPECT_FALSE(ParseManifest(R"({"format":"quiver-snapshot","format_version":1})").ok());
  EXPECT_FALSE(
      ParseManifest(R"({"format":"quiver-snapshot","format_version":1,"files":[{"path":"a"}]})")
          .ok());
}

TEST(SnapshotManifestTest, VerifyFindsEveryDifference) {
  SnapshotManifest m = Sample();
  std::vector<ManifestFile> same = m.files;
  same.push_back({"manifest.json", 5, std::string(64, 'c')});
  EXPECT_TRUE(VerifyAgainstManifest(m, same).ok());

  auto missing = same;
  missing.erase(missing.begin());
  EXPECT_EQ(VerifyAgainstManifest(m, missing).code(), base::StatusCode::kBadRequest);

  auto resized = same;
  resized[0].size = 11;
  EXPECT_EQ(VerifyAgainstManifest(m, resized).code(), base::StatusCode::kBadRequest);

  auto damaged = same;
  damaged[1].sha256 = std::string(64, 'f');
  base::Status st = VerifyAgainstManifest(m, damaged);
  EXPECT_EQ(st.code(), base::StatusCode::kBadRequest);
  EXPECT_NE(st.message().find("segments/1-1.dat"), std::string::npos);

  auto extra = same;
  extra.push_back({"segments/evil.dat", 1, kSha});
  EXPECT_EQ(VerifyAgainstManifest(m, extra).code(), base::StatusCode::kBadRequest);
}

}  // namespace
}  // namespace quiver::ops
