#include "api/auth.h"

#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "wire/jwt_claims.h"

namespace quiver::api {
namespace {

constexpr int64_t kExpLeewaySec = 30;  // jsonwebtoken's leeway in Qdrant's JwtParser
constexpr std::string_view kCollectionPrefix = "/collections/{collection_name}";
constexpr char kInvalidCredential[] = "Invalid API key or JWT";

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// POST routes under /collections/{collection_name} that only read.
bool IsReadPost(std::string_view rest) {
  static constexpr std::string_view kRead[] = {
      "/points",
      "/points/count",
      "/points/discover",
      "/points/discover/batch",
      "/points/query",
      "/points/query/batch",
      "/points/query/groups",
      "/points/recommend",
      "/points/recommend/batch",
      "/points/recommend/groups",
      "/points/scroll",
      "/points/search",
      "/points/search/batch",
      "/points/search/groups",
      "/points/search/matrix/offsets",
      "/points/search/matrix/pairs",
      "/facet",
  };
  return std::find(std::begin(kRead), std::end(kRead), rest) != std::end(kRead);
}

AuthFailure Unauthorized(std::string message) { return {true, std::move(message)}; }
AuthFailure Forbidden(std::string message) { return {false, std::move(message)}; }

struct JwtFree {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

// The `alg` of a token's header, read without verifying anything.
std::string HeaderAlg(const std::string& token) {
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), nullptr, 0) != 0) return {};
  JwtPtr j(raw);
  const char* alg = jwt_get_header(j.get(), "alg");
  return alg ? alg : "";
}

}  // namespace

const Access::Grant* Access::Find(std::string_view collection) const {
  if (collection.empty()) return nullptr;
  for (const auto& g : grants_) {
    if (g.collection == collection) return &g;
  }
  return nullptr;
}

AccessRule RuleFor(std::string_view method, std::string_view path, std::string_view path_template) {
  using Scope = AccessRule::Scope;
  using Need = AccessRule::Need;
  if (path == "/" || path == "/healthz" || StartsWith(path, "/readyz") ||
      StartsWith(path, "/livez")) {
    return {Scope::kOpen, Need::kRead};
  }
  const bool read_method = method == "GET" || method == "HEAD";
  if (path_template.empty()) return {Scope::kListing, Need::kRead};  // answered 404 after auth
  if (StartsWith(path_template, kCollectionPrefix)) {
    std::string_view rest = path_template.substr(kCollectionPrefix.size());
    if (read_method || (method == "POST" && IsReadPost(rest))) {
      return {Scope::kCollection, Need::kRead};
    }
    if (StartsWith(rest, "/points")) return {Scope::kCollection, Need::kPointsWrite};
    if (rest == "/index" || StartsWith(rest, "/index/")) {
      return {Scope::kCollection, Need::kCollectionWrite};
    }
    if ((method == "POST" && rest == "/snapshots") ||
        (method == "DELETE" && rest == "/snapshots/{snapshot_name}")) {
      return {Scope::kCollection, Need::kCollectionWrite};
    }
    // create/update/delete the collection, snapshot upload and recovery, shards, cluster
    return {Scope::kCollection, Need::kManage};
  }
  if (read_method && (path_template == "/collections" || path_template == "/aliases")) {
    return {Scope::kListing, Need::kRead};
  }
  return {Scope::kGlobal, read_method ? Need::kRead : Need::kManage};
}

bool SecretEquals(std::string_view presented, std::string_view secret) {
  if (secret.empty()) return false;
  // Comparing digests keeps the time independent of both the contents and the lengths.
  unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(presented.data()), presented.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), b);
  return CRYPTO_memcmp(a, b, sizeof a) == 0 && presented.size() == secret.size();
}

Authenticator::Authenticator(AuthConfig config) : config_(std::move(config)) {
  enabled_ = !config_.api_key.empty() || !config_.alt_api_key.empty() ||
             !config_.read_only_api_key.empty();
}

std::optional<Access> Authenticator::Authenticate(const net::HttpRequest& request, int64_t now_unix,
                                                  AuthFailure* failure) const {
  if (!enabled_) return Access::Manage();
  std::string_view key = request.Header("api-key");
  if (key.empty()) {
    std::string_view auth = request.Header("authorization");
    if (StartsWith(auth, "Bearer ")) key = auth.substr(7);
  }
  if (key.empty()) {
    *failure = Unauthorized("Must provide an API key or an Authorization bearer token");
    return std::nullopt;
  }
  // Evaluate every comparison so that the time does not say which key nearly matched.
  bool rw = SecretEquals(key, config_.api_key);
  rw |= SecretEquals(key, config_.alt_api_key);
  bool ro = SecretEquals(key, config_.read_only_api_key);
  if (rw) return Access::Manage();
  if (ro) return Access::ReadOnly();
  return DecodeJwt(key, now_unix, failure);
}

std::optional<Access> Authenticator::DecodeJwt(std::string_view token_view, int64_t now_unix,
                                               AuthFailure* failure) const {
  *failure = Unauthorized(kInvalidCredential);
  if (!config_.jwt_rbac) return std::nullopt;
  if (std::count(token_view.begin(), token_view.end(), '.') != 2) return std::nullopt;
  const std::string token(token_view);
  JwtPtr jwt;
  for (const std::string* secret : {&config_.api_key, &config_.alt_api_key}) {
    if (secret->empty()) continue;
    jwt_t* raw = nullptr;
    if (jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(secret->data()),
                   static_cast<int>(secret->size())) == 0) {
      jwt.reset(raw);
      break;
    }
  }
  if (!jwt) {
    // A well-formed HS256 token that no key verifies: Qdrant answers 403 InvalidSignature. Other
    // algorithms (including `none`) and malformed tokens are not JWTs to it: 401.
    if (HeaderAlg(token) == "HS256" && (!config_.api_key.empty() || !config_.alt_api_key.empty())) {
      *failure = Forbidden("InvalidSignature");
    }
    return std::nullopt;
  }
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return std::nullopt;
  char* grants = jwt_get_grants_json(jwt.get(), nullptr);
  if (!grants) return std::nullopt;
  std::string json(grants);
  free(grants);
  auto claims = wire::ParseJwtClaims(json);
  if (!claims.ok()) {
    if (claims.status().code() == base::StatusCode::kValidation) {
      *failure = Unauthorized(claims.status().message());
    }
    return std::nullopt;
  }
  const wire::JwtClaims& c = claims.value();
  if (c.exp && *c.exp + kExpLeewaySec < now_unix) {
    *failure = Forbidden("ExpiredSignature");
    return std::nullopt;
  }
  // Fail closed on restrictions Quiver cannot enforce.
  if (c.has_value_exists) {
    *failure = Forbidden("JWT claim `value_exists` is not supported by this server");
    return std::nullopt;
  }
  if (!c.collection_scoped) {
    return c.global_access == "r" ? Access::ReadOnly() : Access::Manage();
  }
  std::vector<Access::Grant> grants_list;
  for (const auto& a : c.collections) {
    if (a.has_payload) {
      *failure = Forbidden("JWT `payload` restrictions are not supported by this server");
      return std::nullopt;
    }
    Access::Grant g;
    g.collection = a.collection;
    g.mode = a.access == "rw"    ? Access::Mode::kReadWrite
             : a.access == "prw" ? Access::Mode::kPointsReadWrite
                                 : Access::Mode::kRead;
    grants_list.push_back(std::move(g));
  }
  return Access::Collections(std::move(grants_list));
}

base::Status CheckAccess(const Access& access, const AccessRule& rule, std::string_view collection,
                         std::string_view resolved) {
  using Scope = AccessRule::Scope;
  using Need = AccessRule::Need;
  if (rule.scope == Scope::kOpen || rule.scope == Scope::kListing) return base::Status::Ok();
  if (access.global()) {
    if (rule.need != Need::kRead && !access.manage()) {
      return base::Status::Forbidden("Global manage access is required");
    }
    return base::Status::Ok();
  }
  if (rule.scope == Scope::kGlobal) return base::Status::Forbidden("Global access is required");
  const Access::Grant* grant = access.Find(collection);
  if (!grant) grant = access.Find(resolved);
  if (!grant) {
    return base::Status::Forbidden("Access to collection " + std::string(collection) +
                                   " is required");
  }
  const std::string write_needed =
      "Write access to collection " + std::string(collection) + " is required";
  switch (rule.need) {
    case Need::kRead:
      return base::Status::Ok();
    case Need::kPointsWrite:
      if (grant->mode == Access::Mode::kRead) return base::Status::Forbidden(write_needed);
      return base::Status::Ok();
    case Need::kCollectionWrite:
      if (grant->mode != Access::Mode::kReadWrite) return base::Status::Forbidden(write_needed);
      return base::Status::Ok();
    case Need::kManage:
      return base::Status::Forbidden("Manage access for this operation is required");
  }
  return base::Status::Forbidden("Global access is required");
}

}  // namespace quiver::api
