#include "ops/backup_tool/manifest.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace quiver::ops::backup {
namespace {

Manifest Sample() {
  Manifest m;
  m.id = "2026-11-24T02-30-00Z";
  m.created_at = TimeOfBackupId(m.id);
  m.quiver_version = "0.1.0";
  m.nodes.push_back({"http://127.0.0.1:6333", "quiver", "1.13.0"});
  CollectionEntry e;
  e.name = "docs";
  e.object = m.id + "/node-0/collection-0.snapshot";
  e.size = 1234;
  e.sha256 = std::string(64, 'a');
  e.snapshot_name = "docs-1.snapshot";
  e.snapshot_size = 1234;
  e.snapshot_sha256 = std::string(64, 'a');
  e.points_before = 10;
  e.points_after = 12;
  e.config_json = R"({"params":{"vectors":{"size":4,"distance":"Cosine"}}})";
  e.sample.push_back({"7", std::string(64, 'b')});
  e.sample.push_back({"\"5f1d2c3e-0000-4000-8000-000000000000\"", std::string(64, 'c')});
  m.collections.push_back(e);
  return m;
}

TEST(Manifest, RoundTrip) {
  Manifest m = Sample();
  auto back = ParseManifest(ManifestToJson(m));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->id, m.id);
  ASSERT_EQ(back->collections.size(), 1u);
  const auto& e = back->collections[0];
  EXPECT_EQ(e.object, m.collections[0].object);
  EXPECT_EQ(e.points_before, 10u);
  EXPECT_EQ(e.points_after, 12u);
  EXPECT_EQ(e.sample.size(), 2u);
  EXPECT_EQ(e.sample[1].id_json, m.collections[0].sample[1].id_json);
  EXPECT_EQ(nlohmann::json::parse(e.config_json),
            nlohmann::json::parse(m.collections[0].config_json));
  EXPECT_EQ(back->TotalBytes(), 1234u);
}

// Each mutation of a valid manifest must be refused with a message, never crash.
TEST(Manifest, RejectsUntrustedInput) {
  const nlohmann::json good = nlohmann::json::parse(ManifestToJson(Sample()));
  auto mutate = [&](auto f) {
    nlohmann::json j = good;
    f(j);
    return ParseManifest(j.dump());
  };
  EXPECT_FALSE(ParseManifest("").ok());
  EXPECT_FALSE(ParseManifest("[1,2]").ok());
  EXPECT_FALSE(ParseManifest("{\"format\":").ok());
  EXPECT_FALSE(ParseManifest(std::string(100000, '[')).ok());
  EXPECT_FALSE(mutate([](auto& j) { j["format"] = "other"; }).ok());
  EXPECT_EQ(mutate([](auto& j) { j["format_version"] = 99; }).status().code(),
            base::StatusCode::kBadInput);
  EXPECT_FALSE(mutate([](auto& j) { j["id"] = "../../etc"; }).ok());
  EXPECT_FALSE(mutate([](auto& j) { j.erase("nodes"); }).ok());
  EXPECT_FALSE(mutate([](auto& j) { j["nodes"] = nlohmann::json::array(); }).ok());
  EXPECT_FALSE(mutate([](auto& j) { j["collections"][0]["object"] = "../secret"; }).ok());
  EXPECT_FALSE(
      mutate([](auto& j) { j["collections"][0]["object"] = "2026-11-24T02-30-00Z/../../x"; }).ok());
  EXPECT_FALSE(mutate([](auto& j) {
                 j["collections"][0]["object"] = "2025-01-01T00-00-00Z/other-backup";
               }).ok());
  EXPECT_FALSE(mutate([](auto& j) { j["collections"][0]["sha256"] = "xyz"; }).ok());
  EXPECT_FALSE(mutate([](auto& j) { j["collections"][0]["size"] = -1; }).ok());
  EXPECT_FALSE(mutate([](auto& j) { j["collections"][0]["size"] = "12"; }).ok());
  EXPECT_FALSE(mutate([](auto& j) { j["collections"][0]["node"] = 4294967297ull; }).ok());
  EXPECT_FALSE(mutate([](auto& j) { j["collections"][0]["name"] = ""; }).ok());
  EXPECT_FALSE(mutate([](auto& j) { j["collections"][0]["sample"][0]["id"] = 1.5; }).ok());
  EXPECT_FALSE(mutate([](auto& j) {
                 j["encryption"] = {{"algorithm", "ROT13"}, {"key_id", "x"}};
               }).ok());
  EXPECT_TRUE(mutate([](auto& j) { j["unknown_future_field"] = 1; }).ok());
}

TEST(BackupId, FormatAndParse) {
  EXPECT_EQ(BackupIdFor(0), "1970-01-01T00-00-00Z");
  EXPECT_EQ(TimeOfBackupId("2026-11-24T02-30-00Z"), 1795487400);
  EXPECT_EQ(BackupIdFor(TimeOfBackupId("2026-11-24T02-30-00Z")), "2026-11-24T02-30-00Z");
  for (const char* bad : {"", "latest", "2026-11-24T02:30:00Z", "2026-13-24T02-30-00Z",
                          "2026-11-24T02-30-00Zx", "../2026-11-24T02-30"}) {
    EXPECT_FALSE(IsValidBackupId(bad)) << bad;
  }
}

}  // namespace
}  // namespace quiver::ops::backup
