// The AWS credential and region chain, in botocore's order:
//   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) from the environment;
//   2. Kubernetes web identity: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE → STS
//      AssumeRoleWithWebIdentity (endpoint AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL, then
//      https://sts.REGION.amazonaws.com); refreshed 5 minutes before expiry, token file re-read;
//   3. the shared credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials), profile
//      AWS_PROFILE (else "default");
//   4. the config file (AWS_CONFIG_FILE or ~/.aws/config), section [profile NAME] / [default].
// Region: explicit option, AWS_REGION, AWS_DEFAULT_REGION, the config file's `region`, "us-east-1".
// S3 endpoint: explicit option, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS. Secrets are never
// logged nor put in messages.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/status.h"

namespace quiver::ops::s3 {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;    // empty for long-term keys
  int64_t expiration_unix = 0;  // 0: does not expire
  std::string source;           // "environment", "web identity (ROLE)", "profile NAME in FILE"
};

// Environment lookup (the process environment, or a map in tests).
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnvironment();

// INI text (AWS credentials/config files) → section → key → value. Comments (#, ;) and blank lines
// are skipped; keys and section names are trimmed; a line that is neither is an error.
using IniFile = std::map<std::string, std::map<std::string, std::string>>;
base::Result<IniFile> ParseIni(std::string_view text);

std::string ResolveRegion(const std::string& explicit_region, const EnvLookup& env);
std::string ResolveS3Endpoint(const std::string& explicit_endpoint, const EnvLookup& env);

class CredentialProvider {
 public:
  // Finds the first source in the chain that is configured and loads it (web identity calls STS
  // now, so a broken setup fails at start). BadInput when no source is configured.
  static base::Result<std::unique_ptr<CredentialProvider>> Create(const EnvLookup& env,
                                                                  const std::string& region,
                                                                  const std::string& ca_file);
  // Current credentials; web identity ones are refreshed when they expire in under 5 minutes.
  base::Result<AwsCredentials> Get();

 private:
  struct WebIdentity {
    std::string role_arn, token_file, session_name, sts_endpoint;
  };
  base::Result<AwsCredentials> AssumeRole();

  std::mutex mu_;
  AwsCredentials current_;
  std::optional<WebIdentity> web_identity_;
  std::string ca_file_;
};

}  // namespace quiver::ops::s3
