#include "ops/s3/s3_credentials.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace quiver::ops::s3 {
namespace {

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("quiver-s3-creds-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / ".aws");
    env_["HOME"] = dir_.string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  EnvLookup Env() {
    return [this](const std::string& name) -> std::optional<std::string> {
      auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }
  base::Result<AwsCredentials> Load() {
    auto p = CredentialProvider::Create(Env(), "us-east-1", "");
    if (!p.ok()) return p.status();
    return (*p)->Get();
  }

  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(CredentialsTest, EnvironmentComesFirst) {
  env_["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  env_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  env_["AWS_SESSION_TOKEN"] = "envtoken";
  Write(".aws/credentials", "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = x\n");
  auto c = Load();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "AKIAENV");
  EXPECT_EQ(c->secret_access_key, "envsecret");
  EXPECT_EQ(c->session_token, "envtoken");
  EXPECT_EQ(c->source, "environment");
}

TEST_F(CredentialsTest, HalfAnEnvironmentPairIsAnError) {
  env_["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  auto c = Load();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST_F(CredentialsTest, DefaultProfileFromHome) {
  Write(".aws/credentials",
        "# comment\n[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = filesecret\n"
        "\n[other]\naws_access_key_id=AKIAOTHER\naws_secret_access_key=othersecret\n"
        "aws_session_token = othertoken\n");
  auto c = Load();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "AKIAFILE");
  EXPECT_EQ(c->secret_access_key, "filesecret");
  EXPECT_TRUE(c->session_token.empty());

  env_["AWS_PROFILE"] = "other";
  c = Load();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "AKIAOTHER");
  EXPECT_EQ(c->session_token, "othertoken");
  // The secret never appears in the description of the source.
  EXPECT_EQ(c->source.find("othersecret"), std::string::npos);
}

TEST_F(CredentialsTest, ExplicitFilesAndConfigFallback) {
  Write("creds", "[prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = prodsecret\n");
  Write("config",
        "[profile prod]\nregion = eu-central-1\ns3 =\n  max_concurrent_requests = 4\n"
        "[profile cfg]\naws_access_key_id = AKIACFG\naws_secret_access_key = cfgsecret\n");
  env_["AWS_SHARED_CREDENTIALS_FILE"] = (dir_ / "creds").string();
  env_["AWS_CONFIG_FILE"] = (dir_ / "config").string();
  env_["AWS_PROFILE"] = "prod";
  auto c = Load();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "AKIAPROD");
  EXPECT_EQ(ResolveRegion("", Env()), "eu-central-1");
  env_["AWS_PROFILE"] = "cfg";
  c = Load();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "AKIACFG");
}

TEST_F(CredentialsTest, NothingConfiguredIsAClearError) {
  auto c = Load();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), base::StatusCode::kBadInput);
  EXPECT_NE(c.status().message().find("no AWS credentials found"), std::string::npos);
}

TEST_F(CredentialsTest, BrokenProfileFileIsAnError) {
  Write(".aws/credentials", "[default\naws_access_key_id = A\n");
  auto c = Load();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("credentials"), std::string::npos);
  Write(".aws/credentials", "[default]\naws_access_key_id = A\n");
  c = Load();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("only one of"), std::string::npos);
}

TEST_F(CredentialsTest, WebIdentityNeedsBothVariablesAndTheTokenFile) {
  env_["AWS_ROLE_ARN"] = "arn:aws:iam::123:role/r";
  auto c = Load();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("AWS_WEB_IDENTITY_TOKEN_FILE"), std::string::npos);
  env_["AWS_WEB_IDENTITY_TOKEN_FILE"] = (dir_ / "missing-token").string();
  c = Load();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("does not exist"), std::string::npos);
}

TEST_F(CredentialsTest, RegionAndEndpointOrder) {
  EXPECT_EQ(ResolveRegion("", Env()), "us-east-1");
  Write(".aws/config", "[default]\nregion = ap-south-1\n");
  EXPECT_EQ(ResolveRegion("", Env()), "ap-south-1");
  env_["AWS_DEFAULT_REGION"] = "eu-west-2";
  EXPECT_EQ(ResolveRegion("", Env()), "eu-west-2");
  env_["AWS_REGION"] = "eu-west-3";
  EXPECT_EQ(ResolveRegion("", Env()), "eu-west-3");
  EXPECT_EQ(ResolveRegion("sa-east-1", Env()), "sa-east-1");

  EXPECT_EQ(ResolveS3Endpoint("", Env()), "");
  env_["AWS_ENDPOINT_URL"] = "http://all";
  EXPECT_EQ(ResolveS3Endpoint("", Env()), "http://all");
  env_["AWS_ENDPOINT_URL_S3"] = "http://s3only";
  EXPECT_EQ(ResolveS3Endpoint("", Env()), "http://s3only");
  EXPECT_EQ(ResolveS3Endpoint("http://flag", Env()), "http://flag");
}

TEST(Ini, Parses) {
  auto ini = ParseIni("[a]\nk = v = w\n; c\n[ b c ]\n  x=1\r\n");
  ASSERT_TRUE(ini.ok());
  EXPECT_EQ((*ini)["a"]["k"], "v = w");
  EXPECT_EQ((*ini)["b c"]["x"], "1");
  EXPECT_FALSE(ParseIni("k = v\n").ok());
  EXPECT_FALSE(ParseIni("[a]\njunk\n").ok());
}

}  // namespace
}  // namespace quiver::ops::s3
