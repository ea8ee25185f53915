#include "app/config.h"

#include <gtest/gtest.h>

#include <fstream>

namespace quiver::app {

TEST(ConfigTest, DefaultsFollowQdrant) {
  auto c = LoadConfig(std::nullopt, {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value().http_port, 6333);
  EXPECT_EQ(c.value().max_request_size_mb, 32u);
  EXPECT_EQ(c.value().collection_defaults.hnsw_config.m, 16u);
  EXPECT_EQ(c.value().collection_defaults.optimizer_config.indexing_threshold.value(), 10000u);
}

TEST(ConfigTest, FileThenQdrantThenQuiverEnvironment) {
  std::string path = "/tmp/quiver-config-test.yaml";
  std::ofstream(path) << "service:\n  http_port: 7000\n  host: 10.0.0.1\nstorage:\n"
                         "  storage_path: /data\n  hnsw_index:\n    m: 32\n";
  auto c = LoadConfig(path, {{"QDRANT__SERVICE__HTTP_PORT", "7001"},
                             {"QUIVER__SERVICE__HTTP_PORT", "7002"},
                             {"QDRANT__SERVICE__API_KEY", "secret: with colon"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value().http_port, 7002);
  EXPECT_EQ(c.value().host, "10.0.0.1");
  EXPECT_EQ(c.value().storage_path, "/data");
  EXPECT_EQ(c.value().api_key, "secret: with colon");
  EXPECT_EQ(c.value().collection_defaults.hnsw_config.m, 32u);
}

TEST(ConfigTest, UnknownKeysAndBadValuesNameTheKey) {
  auto unknown = LoadConfig(std::nullopt, {{"QUIVER__SERVICE__HTTP_PROT", "1"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("service.http_prot"), std::string::npos);
  auto bad = LoadConfig(std::nullopt, {{"QUIVER__SERVICE__HTTP_PORT", "many"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("service.http_port"), std::string::npos);
  auto level = LoadConfig(std::nullopt, {{"QUIVER__LOG_LEVEL", "loud"}});
  EXPECT_FALSE(level.ok());
}

TEST(ConfigTest, LimitsAndSnapshotUrlRecovery) {
  auto d = LoadConfig(std::nullopt, {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value().max_json_depth, 128u);
  EXPECT_EQ(d.value().max_vector_dimension, 65536u);
  EXPECT_TRUE(d.value().enable_snapshot_url_recovery);
  EXPECT_TRUE(d.value().snapshot_url_allowed_hosts.empty());

  std::string path = "/tmp/quiver-config-limits-test.yaml";
  std::ofstream(path) << "service:\n  max_batch_points: 10\n  max_connections: 5\n"
                         "  enable_snapshot_url_recovery: false\n"
                         "  snapshot_url_allowed_hosts: [a.example, \"*.b.example\"]\n";
  auto c = LoadConfig(path, {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value().max_batch_points, 10u);
  EXPECT_EQ(c.value().max_connections, 5u);
  EXPECT_FALSE(c.value().enable_snapshot_url_recovery);
  EXPECT_EQ(c.value().snapshot_url_allowed_hosts,
            (std::vector<std::string>{"a.example", "*.b.example"}));

  auto env =
      LoadConfig(std::nullopt, {{"QUIVER__SERVICE__SNAPSHOT_URL_ALLOWED_HOSTS", "x, y.z ,"}});
  ASSERT_TRUE(env.ok()) << env.status().message();
  EXPECT_EQ(env.value().snapshot_url_allowed_hosts, (std::vector<std::string>{"x", "y.z"}));

  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"QUIVER__SERVICE__MAX_VECTOR_DIMENSION", "70000"},
           {"QUIVER__SERVICE__MAX_JSON_DEPTH", "1"},
           {"QUIVER__SERVICE__HEADER_TIMEOUT_SEC", "0"},
           {"QUIVER__SERVICE__MAX_CONNECTIONS", "-3"}}) {
    auto bad = LoadConfig(std::nullopt, {{key, value}});
    ASSERT_FALSE(bad.ok()) << key;
    EXPECT_NE(bad.status().message().find("service."), std::string::npos) << key;
  }
  std::ofstream(path) << "service:\n  snapshot_url_allowed_hosts: {a: 1}\n";
  EXPECT_FALSE(LoadConfig(path, {}).ok());
}

TEST(ConfigTest, BackupTargetS3AndItsOptions) {
  auto c = LoadConfig(std::nullopt, {{"QUIVER__BACKUP__ENABLED", "true"},
                                     {"QUIVER__BACKUP__TARGET", "s3://bucket/quiver/prod"},
                                     {"QUIVER__BACKUP__S3__ENDPOINT", "http://127.0.0.1:9000"},
                                     {"QUIVER__BACKUP__S3__REGION", "eu-west-1"},
                                     {"QUIVER__BACKUP__S3__PATH_STYLE", "true"},
                                     {"QUIVER__BACKUP__S3__SSE", "aws:kms"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value().backup_target, "s3://bucket/quiver/prod");
  EXPECT_EQ(c.value().backup_s3_endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(c.value().backup_s3_region, "eu-west-1");
  EXPECT_TRUE(c.value().backup_s3_path_style);
  EXPECT_EQ(c.value().backup_s3_sse, "aws:kms");
  auto local = LoadConfig(std::nullopt, {{"QUIVER__BACKUP__TARGET", "file:///var/backups"}});
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local.value().backup_target, "/var/backups");
  auto sse = LoadConfig(std::nullopt, {{"QUIVER__BACKUP__S3__SSE", "rot13"}});
  ASSERT_FALSE(sse.ok());
  EXPECT_NE(sse.status().message().find("backup.s3.sse"), std::string::npos);
  auto scheme = LoadConfig(std::nullopt, {{"QUIVER__BACKUP__TARGET", "gs://bucket/x"}});
  ASSERT_FALSE(scheme.ok());
  EXPECT_NE(scheme.status().message().find("backup.target"), std::string::npos);
  auto bucket = LoadConfig(std::nullopt, {{"QUIVER__BACKUP__TARGET", "s3:///x"}});
  EXPECT_FALSE(bucket.ok());
}

}  // namespace quiver::app
