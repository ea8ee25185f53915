#include "api/auth.h"

#include <gtest/gtest.h>
#include <jwt.h>

#include <cstdlib>
#include <cstring>

#include "wire/jwt_claims.h"

namespace quiver::api {
namespace {

constexpr int64_t kNow = 1'800'000'000;

// An HS256 token with these claims (JSON), signed with `key`.
std::string Token(const std::string& claims, const std::string& key) {
  jwt_t* j = nullptr;
  EXPECT_EQ(jwt_new(&j), 0);
  EXPECT_EQ(jwt_add_grants_json(j, claims.c_str()), 0);
  EXPECT_EQ(jwt_set_alg(j, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(key.data()),
                        static_cast<int>(key.size())),
            0);
  char* s = jwt_encode_str(j);
  std::string out = s ? s : "";
  free(s);
  jwt_free(j);
  return out;
}

net::HttpRequest WithHeader(const std::string& name, const std::string& value) {
  net::HttpRequest r;
  r.method = "GET";
  r.path = "/collections";
  r.headers.emplace_back(name, value);
  return r;
}

Authenticator Jwt() { return Authenticator(AuthConfig{"secret", "", "ro-key", true}); }

TEST(Auth, DisabledWithoutKeys) {
  Authenticator a(AuthConfig{});
  EXPECT_FALSE(a.enabled());
  AuthFailure f;
  auto access = a.Authenticate(net::HttpRequest{}, kNow, &f);
  ASSERT_TRUE(access);
  EXPECT_TRUE(access->manage());
}

TEST(Auth, KeysFromBothHeaders) {
  Authenticator a(AuthConfig{"rw", "", "ro", false});
  AuthFailure f;
  auto missing = a.Authenticate(net::HttpRequest{}, kNow, &f);
  EXPECT_FALSE(missing);
  EXPECT_TRUE(f.unauthenticated);
  EXPECT_EQ(f.message, "Must provide an API key or an Authorization bearer token");

  auto rw = a.Authenticate(WithHeader("api-key", "rw"), kNow, &f);
  ASSERT_TRUE(rw);
  EXPECT_TRUE(rw->manage());
  auto ro = a.Authenticate(WithHeader("authorization", "Bearer ro"), kNow, &f);
  ASSERT_TRUE(ro);
  EXPECT_TRUE(ro->global());
  EXPECT_FALSE(ro->manage());

  EXPECT_FALSE(a.Authenticate(WithHeader("api-key", "rw2"), kNow, &f));
  EXPECT_TRUE(f.unauthenticated);
  EXPECT_EQ(f.message, "Invalid API key or JWT");
  // Only "Bearer " (as Qdrant) introduces a key in Authorization.
  EXPECT_FALSE(a.Authenticate(WithHeader("authorization", "Basic rw"), kNow, &f));
  EXPECT_EQ(f.message, "Must provide an API key or an Authorization bearer token");
}

TEST(Auth, SecretEqualsComparesWholeSecret) {
  EXPECT_TRUE(SecretEquals("abc", "abc"));
  EXPECT_FALSE(SecretEquals("abcd", "abc"));
  EXPECT_FALSE(SecretEquals("ab", "abc"));
  EXPECT_FALSE(SecretEquals("", ""));
  EXPECT_FALSE(SecretEquals("abd", "abc"));
}

TEST(Auth, JwtGlobalAndCollectionAccess) {
  AuthFailure f;
  auto r =
      Jwt().Authenticate(WithHeader("api-key", Token(R"({"access":"r"})", "secret")), kNow, &f);
  ASSERT_TRUE(r) << f.message;
  EXPECT_TRUE(r->global());
  EXPECT_FALSE(r->manage());
  auto m =
      Jwt().Authenticate(WithHeader("api-key", Token(R"({"access":"m"})", "secret")), kNow, &f);
  ASSERT_TRUE(m) << f.message;
  EXPECT_TRUE(m->manage());
  auto c = Jwt().Authenticate(
      WithHeader("authorization",
                 "Bearer " + Token(R"({"access":[{"collection":"a","access":"rw"},)"
                                   R"({"collection":"b","access":"r"}]})",
                                   "secret")),
      kNow, &f);
  ASSERT_TRUE(c) << f.message;
  EXPECT_FALSE(c->global());
  ASSERT_TRUE(c->Find("a"));
  EXPECT_EQ(c->Find("a")->mode, Access::Mode::kReadWrite);
  EXPECT_EQ(c->Find("b")->mode, Access::Mode::kRead);
  EXPECT_FALSE(c->Find("c"));
}

TEST(Auth, JwtRefusals) {
  AuthFailure f;
  // Wrong signature: 403 InvalidSignature, as Qdrant (jsonwebtoken).
  EXPECT_FALSE(
      Jwt().Authenticate(WithHeader("api-key", Token(R"({"access":"m"})", "other")), kNow, &f));
  EXPECT_FALSE(f.unauthenticated);
  EXPECT_EQ(f.message, "InvalidSignature");
  // Expired beyond the 30 s leeway: 403 ExpiredSignature; within it: accepted.
  std::string expired =
      Token(R"({"access":"m","exp":)" + std::to_string(kNow - 31) + "}", "secret");
  EXPECT_FALSE(Jwt().Authenticate(WithHeader("api-key", expired), kNow, &f));
  EXPECT_FALSE(f.unauthenticated);
  EXPECT_EQ(f.message, "ExpiredSignature");
  std::string recent = Token(R"({"access":"m","exp":)" + std::to_string(kNow - 29) + "}", "secret");
  EXPECT_TRUE(Jwt().Authenticate(WithHeader("api-key", recent), kNow, &f));
  // alg none (no signature) is refused like any non-JWT.
  const std::string none =
      "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJhY2Nlc3MiOiJtIn0.";  // {"alg":"none"} {"access":"m"}
  EXPECT_FALSE(Jwt().Authenticate(WithHeader("api-key", none), kNow, &f));
  EXPECT_TRUE(f.unauthenticated);
  EXPECT_EQ(f.message, "Invalid API key or JWT");
  // A valid token is refused when jwt_rbac is off.
  Authenticator plain(AuthConfig{"secret", "", "", false});
  EXPECT_FALSE(
      plain.Authenticate(WithHeader("api-key", Token(R"({"access":"m"})", "secret")), kNow, &f));
  EXPECT_TRUE(f.unauthenticated);
  // Unknown access mode, duplicate collections: 401.
  EXPECT_FALSE(
      Jwt().Authenticate(WithHeader("api-key", Token(R"({"access":"x"})", "secret")), kNow, &f));
  EXPECT_TRUE(f.unauthenticated);
  EXPECT_FALSE(Jwt().Authenticate(
      WithHeader("api-key", Token(R"({"access":[{"collection":"a","access":"r"},)"
                                  R"({"collection":"a","access":"rw"}]})",
                                  "secret")),
      kNow, &f));
  EXPECT_TRUE(f.unauthenticated);
  // Payload restrictions cannot be enforced here: refused rather than ignored.
  EXPECT_FALSE(
      Jwt().Authenticate(WithHeader("api-key", Token(R"({"access":[{"collection":"a","access":"r",)"
                                                     R"("payload":{"user":"x"}}]})",
                                                     "secret")),
                         kNow, &f));
  EXPECT_FALSE(f.unauthenticated);
}

TEST(Auth, RulesByRoute) {
  using Scope = AccessRule::Scope;
  using Need = AccessRule::Need;
  auto rule = [](const char* m, const char* path, const char* tmpl) {
    AccessRule r = RuleFor(m, path, tmpl);
    return std::make_pair(r.scope, r.need);
  };
  EXPECT_EQ(rule("GET", "/", "/").first, Scope::kOpen);
  EXPECT_EQ(rule("GET", "/readyz", "/readyz").first, Scope::kOpen);
  EXPECT_EQ(rule("GET", "/metrics", "/metrics"), std::make_pair(Scope::kGlobal, Need::kRead));
  EXPECT_EQ(rule("GET", "/collections", "/collections").first, Scope::kListing);
  EXPECT_EQ(rule("POST", "/x/points/search", "/collections/{collection_name}/points/search"),
            std::make_pair(Scope::kCollection, Need::kRead));
  EXPECT_EQ(rule("PUT", "/x/points", "/collections/{collection_name}/points"),
            std::make_pair(Scope::kCollection, Need::kPointsWrite));
  EXPECT_EQ(rule("PUT", "/x/index", "/collections/{collection_name}/index"),
            std::make_pair(Scope::kCollection, Need::kCollectionWrite));
  EXPECT_EQ(rule("POST", "/x/snapshots", "/collections/{collection_name}/snapshots"),
            std::make_pair(Scope::kCollection, Need::kCollectionWrite));
  EXPECT_EQ(rule("PUT", "/x/snapshots/recover", "/collections/{collection_name}/snapshots/recover"),
            std::make_pair(Scope::kCollection, Need::kManage));
  EXPECT_EQ(rule("PUT", "/collections/x", "/collections/{collection_name}"),
            std::make_pair(Scope::kCollection, Need::kManage));
  EXPECT_EQ(rule("POST", "/collections/aliases", "/collections/aliases"),
            std::make_pair(Scope::kGlobal, Need::kManage));
  EXPECT_EQ(rule("POST", "/snapshots", "/snapshots"),
            std::make_pair(Scope::kGlobal, Need::kManage));
}

TEST(Auth, CheckAccessMessages) {
  AccessRule upsert{AccessRule::Scope::kCollection, AccessRule::Need::kPointsWrite};
  AccessRule metrics{AccessRule::Scope::kGlobal, AccessRule::Need::kRead};
  AccessRule create{AccessRule::Scope::kCollection, AccessRule::Need::kManage};
  EXPECT_EQ(CheckAccess(Access::ReadOnly(), upsert, "a", "").message(),
            "Global manage access is required");
  EXPECT_TRUE(CheckAccess(Access::Manage(), upsert, "a", "").ok());
  auto scoped = Access::Collections({{"a", Access::Mode::kRead}, {"b", Access::Mode::kReadWrite}});
  EXPECT_EQ(CheckAccess(scoped, upsert, "a", "").message(),
            "Write access to collection a is required");
  EXPECT_TRUE(CheckAccess(scoped, upsert, "b", "").ok());
  EXPECT_TRUE(CheckAccess(scoped, upsert, "alias_of_b", "b").ok());
  EXPECT_EQ(CheckAccess(scoped, upsert, "c", "").message(), "Access to collection c is required");
  EXPECT_EQ(CheckAccess(scoped, metrics, "", "").message(), "Global access is required");
  EXPECT_EQ(CheckAccess(scoped, create, "b", "").message(),
            "Manage access for this operation is required");
  EXPECT_EQ(CheckAccess(scoped, upsert, "c", "").code(), base::StatusCode::kForbidden);
}

TEST(Auth, CollectionsReferencedByLookups) {
  EXPECT_EQ(wire::CollectionsReferenced(R"({"query":[1,2],"limit":3})"),
            std::vector<std::string>{});
  EXPECT_EQ(wire::CollectionsReferenced(
                R"({"searches":[{"lookup_from":{"collection":"x","vector":"v"}}],)"
                R"("with_lookup":"y","prefetch":[{"with_lookup":{"collection":"z"}}]})"),
            (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_EQ(wire::CollectionsReferenced("{not json lookup"), std::vector<std::string>{});
}

}  // namespace
}  // namespace quiver::api
