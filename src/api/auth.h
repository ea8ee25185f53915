// Access control as Qdrant does it (src/common/auth, lib/storage/src/rbac): API keys, a read-only
// key and `jwt_rbac` tokens (HS256, signed with the API key) carrying global or per-collection
// access. The router calls Authenticate once per request, then the endpoint's rule is checked
// against the resulting Access; handlers only see the Access to filter listings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "net/http_types.h"

namespace quiver::api {

struct AuthConfig {
  std::string api_key;            // read-write key; with jwt_rbac also the HS256 secret
  std::string alt_api_key;        // a second read-write key (rotation)
  std::string read_only_api_key;  // read-only key
  bool jwt_rbac = false;
};

// What a request is allowed to do.
class Access {
 public:
  enum class Mode { kRead, kReadWrite, kPointsReadWrite };
  struct Grant {
    std::string collection;
    Mode mode = Mode::kRead;
  };

  static Access Manage() { return Access(true, true, {}); }
  static Access ReadOnly() { return Access(true, false, {}); }
  static Access Collections(std::vector<Grant> grants) {
    return Access(false, false, std::move(grants));
  }

  bool global() const { return global_; }
  bool manage() const { return global_ && manage_; }
  // The grant for `collection`, if this access is collection-scoped and names it.
  const Grant* Find(std::string_view collection) const;
  // Whether listings (GET /collections, GET /aliases) may show this collection.
  bool CanSee(std::string_view collection) const { return global_ || Find(collection); }

 private:
  Access(bool global, bool manage, std::vector<Grant> grants)
      : global_(global), manage_(manage), grants_(std::move(grants)) {}
  bool global_;
  bool manage_;
  std::vector<Grant> grants_;
};

// What an endpoint needs (see RuleFor).
struct AccessRule {
  enum class Scope {
    kOpen,        // no key needed: /, /healthz, /livez*, /readyz*
    kListing,     // any valid credential; the handler filters by Access::CanSee
    kGlobal,      // the whole instance (metrics, full snapshots, aliases, ...)
    kCollection,  // the collection (or alias) in the path parameter `collection_name`
  };
  enum class Need {
    kRead,
    kPointsWrite,      // point and payload writes: collection rw or prw
    kCollectionWrite,  // payload indexes, collection snapshots: collection rw
    kManage,           // create/delete/update collections, recover snapshots, ...
  };
  Scope scope = Scope::kGlobal;
  Need need = Need::kManage;
};

// The rule of a route. `path` decides the open routes (as Qdrant's whitelist, by path, before
// routing); `path_template` is the matched route ("" when no route matched: a credential is still
// required, so unknown paths do not reveal themselves).
AccessRule RuleFor(std::string_view method, std::string_view path, std::string_view path_template);

// A refused request: HTTP 401 (no or unknown credential) or 403 (a JWT whose signature is wrong
// or that has expired), with Qdrant's plain-text message.
struct AuthFailure {
  bool unauthenticated = true;
  std::string message;
};

class Authenticator {
 public:
  explicit Authenticator(AuthConfig config);
  // False when no key is configured: every request then has manage access.
  bool enabled() const { return enabled_; }
  // The credential of `request` (header `api-key`, else `Authorization: Bearer ...`) → Access.
  // `now_unix` is the current time for the `exp` check (30 s leeway, as Qdrant).
  std::optional<Access> Authenticate(const net::HttpRequest& request, int64_t now_unix,
                                     AuthFailure* failure) const;

 private:
  std::optional<Access> DecodeJwt(std::string_view token, int64_t now_unix,
                                  AuthFailure* failure) const;
  AuthConfig config_;
  bool enabled_;
};

// Ok, or Forbidden with Qdrant's message (e.g. "Global manage access is required", "Access to
// collection c is required"). `collection` is the name in the path and `resolved` the collection
// an alias points to (empty when it is no alias or does not exist); a grant for either is enough.
base::Status CheckAccess(const Access& access, const AccessRule& rule, std::string_view collection,
                         std::string_view resolved);

// Constant-time comparison (CRYPTO_memcmp over equal lengths); false when `secret` is empty.
bool SecretEquals(std::string_view presented, std::string_view secret);

}  // namespace quiver::api
