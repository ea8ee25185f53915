#include "ops/s3/s3_credentials.h"

#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include "ops/s3/s3_http.h"
#include "ops/s3/s3_url.h"
#include "ops/s3/s3_xml.h"

namespace quiver::ops::s3 {
namespace {

using base::Result;
using base::Status;

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

std::string EnvOr(const EnvLookup& env, const std::string& name, const std::string& fallback) {
  auto v = env(name);
  return v && !v->empty() ? *v : fallback;
}

std::string Home(const EnvLookup& env) { return EnvOr(env, "HOME", ""); }

// Reads a file; nullopt when it does not exist; error when unreadable.
Result<std::optional<std::string>> ReadOptionalFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (access(path.c_str(), F_OK) != 0) return std::optional<std::string>();
    return Status::BadInput("cannot read " + path);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return std::optional<std::string>(ss.str());
}

Result<std::optional<IniFile>> LoadIni(const std::string& path) {
  if (path.empty()) return std::optional<IniFile>();
  auto text = ReadOptionalFile(path);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return std::optional<IniFile>();
  auto ini = ParseIni(**text);
  if (!ini.ok()) return Status::BadInput(path + ": " + ini.status().message());
  return std::optional<IniFile>(std::move(*ini));
}

std::string ConfigPath(const EnvLookup& env) {
  const std::string home = Home(env);
  return EnvOr(env, "AWS_CONFIG_FILE", home.empty() ? "" : home + "/.aws/config");
}

std::string CredentialsPath(const EnvLookup& env) {
  const std::string home = Home(env);
  return EnvOr(env, "AWS_SHARED_CREDENTIALS_FILE", home.empty() ? "" : home + "/.aws/credentials");
}

const std::map<std::string, std::string>* ConfigSection(const IniFile& ini,
                                                        const std::string& profile) {
  auto it = ini.find(profile == "default" ? "default" : "profile " + profile);
  if (it == ini.end() && profile == "default") it = ini.find("profile default");
  return it == ini.end() ? nullptr : &it->second;
}

// Access key, secret and optional token from an INI section; nullopt when the section lacks keys.
Result<std::optional<AwsCredentials>> FromSection(const std::map<std::string, std::string>* section,
                                                  const std::string& source) {
  if (section == nullptr) return std::optional<AwsCredentials>();
  auto get = [&](const char* key) {
    auto it = section->find(key);
    return it == section->end() ? std::string() : it->second;
  };
  AwsCredentials c;
  c.access_key_id = get("aws_access_key_id");
  c.secret_access_key = get("aws_secret_access_key");
  c.session_token = get("aws_session_token");
  if (c.access_key_id.empty() && c.secret_access_key.empty())
    return std::optional<AwsCredentials>();
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Status::BadInput(source + " has only one of aws_access_key_id / aws_secret_access_key");
  }
  c.source = source;
  return std::optional<AwsCredentials>(std::move(c));
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<IniFile> ParseIni(std::string_view text) {
  IniFile out;
  std::string section;
  bool in_section = false;
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view raw = text.substr(0, nl);
    std::string line = Trim(raw);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        return Status::BadInput("line " + std::to_string(line_no) + ": unterminated [section]");
      }
      section = Trim(std::string_view(line).substr(1, line.size() - 2));
      out[section];
      in_section = true;
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos) {
      // Nested values (indented lines after "s3 =") belong to the previous key; not used here.
      if (in_section && (raw.front() == ' ' || raw.front() == '\t')) continue;
      return Status::BadInput("line " + std::to_string(line_no) + ": expected key = value");
    }
    if (!in_section) {
      return Status::BadInput("line " + std::to_string(line_no) + ": key outside a [section]");
    }
    out[section][Trim(std::string_view(line).substr(0, eq))] =
        Trim(std::string_view(line).substr(eq + 1));
  }
  return out;
}

std::string ResolveRegion(const std::string& explicit_region, const EnvLookup& env) {
  if (!explicit_region.empty()) return explicit_region;
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    auto v = env(name);
    if (v && !v->empty()) return *v;
  }
  auto ini = LoadIni(ConfigPath(env));
  if (ini.ok() && ini->has_value()) {
    const auto* section = ConfigSection(**ini, EnvOr(env, "AWS_PROFILE", "default"));
    if (section != nullptr) {
      auto it = section->find("region");
      if (it != section->end() && !it->second.empty()) return it->second;
    }
  }
  return "us-east-1";
}

std::string ResolveS3Endpoint(const std::string& explicit_endpoint, const EnvLookup& env) {
  if (!explicit_endpoint.empty()) return explicit_endpoint;
  return EnvOr(env, "AWS_ENDPOINT_URL_S3", EnvOr(env, "AWS_ENDPOINT_URL", ""));
}

Result<std::unique_ptr<CredentialProvider>> CredentialProvider::Create(const EnvLookup& env,
                                                                       const std::string& region,
                                                                       const std::string& ca_file) {
  std::unique_ptr<CredentialProvider> p(new CredentialProvider());
  p->ca_file_ = ca_file;
  // 1. Environment.
  const std::string key = EnvOr(env, "AWS_ACCESS_KEY_ID", ""),
                    secret = EnvOr(env, "AWS_SECRET_ACCESS_KEY", "");
  if (!key.empty() || !secret.empty()) {
    if (key.empty() || secret.empty()) {
      return Status::BadInput(
          "AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
    }
    p->current_ = {key, secret, EnvOr(env, "AWS_SESSION_TOKEN", ""), 0, "environment"};
    return p;
  }
  // 2. Web identity.
  const std::string role = EnvOr(env, "AWS_ROLE_ARN", ""),
                    token_file = EnvOr(env, "AWS_WEB_IDENTITY_TOKEN_FILE", "");
  if (!role.empty() || !token_file.empty()) {
    if (role.empty() || token_file.empty()) {
      return Status::BadInput(
          "AWS credentials: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE must be set together");
    }
    WebIdentity w;
    w.role_arn = role;
    w.token_file = token_file;
    w.session_name = EnvOr(env, "AWS_ROLE_SESSION_NAME",
                           "quiver-" + std::to_string(getpid()) + "-" +
                               std::to_string(static_cast<long long>(std::time(nullptr))));
    w.sts_endpoint =
        EnvOr(env, "AWS_ENDPOINT_URL_STS",
              EnvOr(env, "AWS_ENDPOINT_URL", "https://sts." + region + ".amazonaws.com"));
    while (!w.sts_endpoint.empty() && w.sts_endpoint.back() == '/') w.sts_endpoint.pop_back();
    p->web_identity_ = w;
    auto creds = p->AssumeRole();
    if (!creds.ok()) return creds.status();
    p->current_ = *creds;
    return p;
  }
  // 3. Shared credentials file; 4. config file.
  const std::string profile = EnvOr(env, "AWS_PROFILE", "default");
  const std::string cred_path = CredentialsPath(env);
  auto creds_ini = LoadIni(cred_path);
  if (!creds_ini.ok()) return creds_ini.status();
  if (creds_ini->has_value()) {
    auto it = (*creds_ini)->find(profile);
    auto found = FromSection(it == (*creds_ini)->end() ? nullptr : &it->second,
                             "profile " + profile + " in " + cred_path);
    if (!found.ok()) return found.status();
    if (found->has_value()) {
      p->current_ = std::move(**found);
      return p;
    }
  }
  const std::string config_path = ConfigPath(env);
  auto config_ini = LoadIni(config_path);
  if (!config_ini.ok()) return config_ini.status();
  if (config_ini->has_value()) {
    auto found = FromSection(ConfigSection(**config_ini, profile),
                             "profile " + profile + " in " + config_path);
    if (!found.ok()) return found.status();
    if (found->has_value()) {
      p->current_ = std::move(**found);
      return p;
    }
  }
  return Status::BadInput(
      "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_ROLE_ARN "
      "and "
      "AWS_WEB_IDENTITY_TOKEN_FILE, or profile '" +
      profile + "' in " + (cred_path.empty() ? "~/.aws/credentials" : cred_path));
}

Result<AwsCredentials> CredentialProvider::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  if (web_identity_ && current_.expiration_unix != 0 &&
      current_.expiration_unix - static_cast<int64_t>(std::time(nullptr)) < 300) {
    auto fresh = AssumeRole();
    if (!fresh.ok()) return fresh.status();
    current_ = *fresh;
  }
  return current_;
}

Result<AwsCredentials> CredentialProvider::AssumeRole() {
  const WebIdentity& w = *web_identity_;
  auto token = ReadOptionalFile(w.token_file);
  if (!token.ok()) return token.status();
  if (!token->has_value()) {
    return Status::BadInput("AWS web identity: token file " + w.token_file + " does not exist");
  }
  std::string jwt = Trim(**token);
  while (!jwt.empty() && jwt.back() == '\n') jwt.pop_back();
  if (jwt.empty())
    return Status::BadInput("AWS web identity: token file " + w.token_file + " is empty");
  const std::string body = CanonicalQuery({{"Action", "AssumeRoleWithWebIdentity"},
                                           {"Version", "2011-06-15"},
                                           {"RoleArn", w.role_arn},
                                           {"RoleSessionName", w.session_name},
                                           {"WebIdentityToken", jwt}});
  HttpRequest req;
  req.method = "POST";
  req.url = w.sts_endpoint + "/";
  req.headers = {"Content-Type: application/x-www-form-urlencoded; charset=utf-8"};
  req.body = body;
  req.ca_file = ca_file_;
  const std::string what =
      "AWS STS AssumeRoleWithWebIdentity (" + w.role_arn + " at " + w.sts_endpoint + ")";
  base::Result<HttpResponse> resp = Status::Internal("not sent");
  for (int attempt = 0; attempt < 3; ++attempt) {
    resp = Perform(req);
    if (resp.ok() && resp->status < 500) break;
    usleep((200u << attempt) * 1000u);
  }
  if (!resp.ok()) return Status::Internal(what + ": " + resp.status().message());
  if (resp->status != 200) return s3xml::ErrorStatus(what, resp->status, resp->body);
  auto parsed = s3xml::ParseAssumeRoleWithWebIdentity(resp->body);
  if (!parsed.ok()) return Status::Internal(what + ": " + parsed.status().message());
  return AwsCredentials{parsed->access_key_id, parsed->secret_access_key, parsed->session_token,
                        parsed->expiration_unix, "web identity (" + w.role_arn + ")"};
}

}  // namespace quiver::ops::s3
