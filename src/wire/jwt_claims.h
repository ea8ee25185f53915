// The claims of a Qdrant `jwt_rbac` token (JSON → plain values). Signature and expiry are checked
// by api/auth; this only reads the claims JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace quiver::wire {

struct JwtCollectionAccess {
  std::string collection;
  std::string access;        // "r", "rw" or "prw"
  bool has_payload = false;  // a `payload` restriction is present
};

struct JwtClaims {
  std::optional<int64_t> exp;                // seconds since the epoch
  std::optional<std::string> global_access;  // "r" or "m" when `access` is a string
  bool collection_scoped = false;            // `access` is a list (then `collections` holds it)
  std::vector<JwtCollectionAccess> collections;
  bool has_value_exists = false;  // a stateful `value_exists` check is requested
};

// Format error on malformed JSON or wrong types; Validation error on unknown access modes and
// collections named twice (Qdrant: "Collection name should be unique"). A missing `access` means
// global manage access, as in Qdrant. Unknown claims (sub, iat, ...) are ignored.
base::Result<JwtClaims> ParseJwtClaims(std::string_view json);

// The other collections a request body reads from, at any depth: `lookup_from.collection` and
// `with_lookup` (a name or `{collection: ...}`). Empty for bodies that do not parse (the handler
// then answers the format error). Access checks use it so that a token scoped to one collection
// cannot read another through a lookup.
std::vector<std::string> CollectionsReferenced(std::string_view body);

}  // namespace quiver::wire
