#include "wire/jwt_claims.h"

#include <set>

#include "wire/json_in.h"

namespace quiver::wire {
namespace {

base::Result<JwtCollectionAccess> ParseCollectionAccess(Json v, const std::string& path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  JwtCollectionAccess a;
  bool has_collection = false, has_access = false;
  base::Status st = ForEachField(obj.value(), [&](std::string_view key, Json f) -> base::Status {
    if (key == "collection") {
      auto s = AsString(f, Sub(path, key));
      if (!s.ok()) return s.status();
      a.collection = s.value();
      has_collection = true;
    } else if (key == "access") {
      auto s = AsString(f, Sub(path, key));
      if (!s.ok()) return s.status();
      if (s.value() != "r" && s.value() != "rw" && s.value() != "prw") {
        return base::Status::Format("unknown variant `" + s.value() +
                                    "`, expected one of `r`, `rw`, `prw` at `" + Sub(path, key) +
                                    "`");
      }
      a.access = s.value();
      has_access = true;
    } else if (key == "payload") {
      a.has_payload = !f.is_null();
    }
    return base::Status::Ok();
  });
  if (!st.ok()) return st;
  if (!has_collection) return MissingField("collection", path);
  if (!has_access) return MissingField("access", path);
  return a;
}

void CollectReferences(Json v, int depth, std::vector<std::string>& out) {
  if (depth > 64) return;
  JsonArray arr;
  if (!v.get(arr)) {
    for (Json item : arr) CollectReferences(item, depth + 1, out);
    return;
  }
  JsonObject obj;
  if (v.get(obj)) return;
  for (auto field : obj) {
    std::string_view key = field.key;
    Json value = field.value;
    if (key == "lookup_from" || key == "with_lookup") {
      std::string_view name;
      JsonObject inner;
      if (value.is_string()) {
        name = value.get_string().value_unsafe();
      } else if (!value.get(inner)) {
        Json c;
        if (!inner["collection"].get(c) && c.is_string()) name = c.get_string().value_unsafe();
      }
      if (!name.empty()) out.emplace_back(name);
    }
    CollectReferences(value, depth + 1, out);
  }
}

}  // namespace

std::vector<std::string> CollectionsReferenced(std::string_view body) {
  std::vector<std::string> out;
  if (body.find("lookup") == std::string_view::npos) return out;
  auto doc = ParseBody(body);
  if (doc.ok()) CollectReferences(doc.value(), 0, out);
  return out;
}

base::Result<JwtClaims> ParseJwtClaims(std::string_view json) {
  auto doc = ParseBody(json);
  if (!doc.ok()) return doc.status();
  auto obj = AsObject(doc.value(), "");
  if (!obj.ok()) return obj.status();
  JwtClaims c;
  c.global_access = "m";
  base::Status st = ForEachField(obj.value(), [&](std::string_view key, Json v) -> base::Status {
    if (key == "exp") {
      if (v.is_null()) return base::Status::Ok();
      auto e = AsInt(v, "exp");
      if (!e.ok()) return e.status();
      c.exp = e.value();
    } else if (key == "access") {
      if (v.is_string()) {
        auto s = AsString(v, "access");
        if (!s.ok()) return s.status();
        if (s.value() != "r" && s.value() != "m") {
          return base::Status::Format("unknown variant `" + s.value() +
                                      "`, expected `r` or `m` at `access`");
        }
        c.global_access = s.value();
        return base::Status::Ok();
      }
      auto list = AsArray(v, "access");
      if (!list.ok()) return list.status();
      c.global_access.reset();
      c.collection_scoped = true;
      std::set<std::string> seen;
      size_t i = 0;
      for (Json item : list.value()) {
        auto a = ParseCollectionAccess(item, Sub("access", i++));
        if (!a.ok()) return a.status();
        if (!seen.insert(a.value().collection).second) {
          return base::Status::Validation("access: Collection name should be unique");
        }
        c.collections.push_back(std::move(a.value()));
      }
    } else if (key == "value_exists") {
      c.has_value_exists = !v.is_null();
    }
    return base::Status::Ok();
  });
  if (!st.ok()) return st;
  return c;
}

}  // namespace quiver::wire
