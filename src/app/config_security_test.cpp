// Config keys of docs/operations/security.md: keys, jwt_rbac, TLS, and the world-readable check.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "app/config.h"

namespace quiver::app {
namespace {

std::string WriteFile(const std::string& name, const std::string& text, mode_t mode) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  chmod(path.c_str(), mode);
  return path;
}

TEST(ConfigSecurity, KeysJwtAndTls) {
  auto c = LoadConfig(std::nullopt, {{"QDRANT__SERVICE__API_KEY", "k"},
                                     {"QDRANT__SERVICE__ALT_API_KEY", "k2"},
                                     {"QDRANT__SERVICE__JWT_RBAC", "true"},
                                     {"QDRANT__SERVICE__ENABLE_TLS", "true"},
                                     {"QDRANT__TLS__CERT", "/c.pem"},
                                     {"QDRANT__TLS__KEY", "/k.pem"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value().alt_api_key, "k2");
  EXPECT_TRUE(c.value().jwt_rbac);
  EXPECT_TRUE(c.value().enable_tls);
  EXPECT_EQ(c.value().tls_cert, "/c.pem");
  EXPECT_EQ(c.value().tls_key, "/k.pem");
  EXPECT_EQ(c.value().tls_ca_cert, "./tls/cacert.pem");  // Qdrant's default
}

TEST(ConfigSecurity, InconsistentSettingsAreRefused) {
  auto jwt = LoadConfig(std::nullopt, {{"QDRANT__SERVICE__JWT_RBAC", "true"}});
  ASSERT_FALSE(jwt.ok());
  EXPECT_NE(jwt.status().message().find("service.jwt_rbac"), std::string::npos);
  auto tls =
      LoadConfig(std::nullopt, {{"QDRANT__SERVICE__ENABLE_TLS", "true"}, {"QDRANT__TLS__KEY", ""}});
  ASSERT_FALSE(tls.ok());
  EXPECT_NE(tls.status().message().find("tls.key"), std::string::npos);
  auto unknown = LoadConfig(std::nullopt, {{"QDRANT__TLS__PASSWORD", "x"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("tls.password"), std::string::npos);
}

TEST(ConfigSecurity, WorldReadableFileWithKeyIsRefused) {
  std::string path = WriteFile("quiver-secret.yaml", "service:\n  api_key: s3cr3t-value\n", 0644);
  auto c = LoadConfig(path, {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  base::Status st = CheckSecretFilePermissions(path, c.value());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(path), std::string::npos);
  EXPECT_NE(st.message().find("chmod"), std::string::npos);
  EXPECT_NE(st.message().find("0644"), std::string::npos);
  EXPECT_EQ(st.message().find("s3cr3t-value"), std::string::npos);  // never the secret itself
  chmod(path.c_str(), 0640);
  EXPECT_TRUE(CheckSecretFilePermissions(path, c.value()).ok());
  // A key from the environment does not make a world-readable file a problem.
  std::string plain = WriteFile("quiver-plain.yaml", "log_level: info\n", 0644);
  auto e = LoadConfig(plain, {{"QDRANT__SERVICE__API_KEY", "k"}});
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(CheckSecretFilePermissions(plain, e.value()).ok());
  // The TLS private key is checked too.
  ServerConfig tls = e.value();
  tls.enable_tls = true;
  tls.tls_key = WriteFile("quiver-key.pem", "x", 0644);
  base::Status key = CheckSecretFilePermissions(std::nullopt, tls);
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.message().find("tls.key"), std::string::npos);
}

}  // namespace
}  // namespace quiver::app
