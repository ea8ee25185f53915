// Groups and facet requests and responses.
#include "wire/filter_json.h"
#include "wire/json_out.h"
#include "wire/points_json.h"
#include "wire/points_wire.h"
#include "wire/query_json.h"
#include "wire/query_wire.h"

namespace quiver::wire {

using base::Result;
using base::Status;

namespace {

Status ParseWithLookup(Json f, std::string_view path, std::optional<WithLookup>& out) {
  if (f.is_null()) return Status::Ok();
  WithLookup wl;
  std::string_view name;
  if (!f.get_string().get(name)) {
    wl.collection = std::string(name);
    out = std::move(wl);
    return Status::Ok();
  }
  auto o = AsObject(f, path);
  if (!o.ok()) return o.status();
  Json c;
  if (o.value()["collection"].get(c)) return MissingField("collection", path);
  auto cs = AsString(c, Sub(path, "collection"));
  if (!cs.ok()) return cs.status();
  wl.collection = cs.value();
  QUIVER_RETURN_IF_ERROR(ForEachField(o.value(), [&](std::string_view k, Json v) -> Status {
    if (k == "with_payload") return ParseWithPayload(v, Sub(path, k), wl.with_payload);
    if (k == "with_vectors" || k == "with_vector") {
      return ParseWithVector(v, Sub(path, k), wl.with_vector);
    }
    return Status::Ok();
  }));
  out = std::move(wl);
  return Status::Ok();
}

}  // namespace

Result<GroupsRequest> ParseGroups(std::string_view body, GroupsKind kind) {
  auto doc = ParseBody(body);
  if (!doc.ok()) return doc.status();
  auto obj = AsObject(doc.value(), "");
  if (!obj.ok()) return obj.status();
  GroupsRequest req;
  engine::QueryRequest& q = req.groups.query;
  switch (kind) {
    case GroupsKind::kQuery:
      QUIVER_RETURN_IF_ERROR(ParseQueryFields(doc.value(), q));
      break;
    case GroupsKind::kSearch:
      QUIVER_RETURN_IF_ERROR(ParseSearchFields(doc.value(), q));
      break;
    case GroupsKind::kRecommend:
      QUIVER_RETURN_IF_ERROR(ParseRecommendFields(doc.value(), q));
      break;
  }
  req.groups.limit = q.limit;  // in a groups request, `limit` counts groups
  bool has_group_by = false;
  QUIVER_RETURN_IF_ERROR(ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    if (k == "group_by") {
      auto s = AsString(f, k);
      if (!s.ok()) return s.status();
      if (s.value().empty()) {
        return Status::Validation("group_by: value must not be empty");
      }
      req.groups.group_by = s.value();
      has_group_by = true;
    } else if (k == "group_size") {
      if (f.is_null()) return Status::Ok();
      auto u = AsUint(f, k);
      if (!u.ok()) return u.status();
      if (u.value() < 1) {
        return Status::Validation("group_size: value 0 invalid, must be 1 or larger");
      }
      req.groups.group_size = u.value();
    } else if (k == "with_lookup") {
      return ParseWithLookup(f, k, req.with_lookup);
    }
    return Status::Ok();
  }));
  if (!has_group_by) return MissingField("group_by", "");
  return req;
}

Result<FacetRequest> ParseFacet(std::string_view body) {
  auto doc = ParseBody(body);
  if (!doc.ok()) return doc.status();
  auto obj = AsObject(doc.value(), "");
  if (!obj.ok()) return obj.status();
  FacetRequest req;
  bool has_key = false;
  QUIVER_RETURN_IF_ERROR(ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    if (f.is_null()) return Status::Ok();
    if (k == "key") {
      auto s = AsString(f, k);
      if (!s.ok()) return s.status();
      req.key = s.value();
      has_key = true;
    } else if (k == "limit") {
      auto u = AsUint(f, k);
      if (!u.ok()) return u.status();
      if (u.value() < 1) return Status::Validation("limit: value 0 invalid, must be 1 or larger");
      req.limit = u.value();
    } else if (k == "filter") {
      auto flt = ParseFilter(f, k);
      if (!flt.ok()) return flt.status();
      req.filter = std::move(flt.value());
    } else if (k == "exact") {
      auto b = AsBool(f, k);
      if (!b.ok()) return b.status();
      req.exact = b.value();
    }
    return Status::Ok();
  }));
  if (!has_key) return MissingField("key", "");
  return req;
}

std::string RenderGroups(const std::vector<engine::PointGroup>& groups,
                         const std::vector<std::optional<engine::Record>>& lookups,
                         bool single_vector, bool lookup_single_vector) {
  JsonOut o;
  o.BeginObject().Key("groups").BeginArray();
  for (size_t i = 0; i < groups.size(); ++i) {
    o.BeginObject().Key("id").Val(groups[i].id);
    o.Key("hits").Raw(RenderScoredPoints(groups[i].hits, single_vector));
    if (i < lookups.size()) {
      o.Key("lookup");
      if (lookups[i]) {
        o.Raw(RenderRecord(*lookups[i], lookup_single_vector));
      } else {
        o.Null();
      }
    }
    o.EndObject();
  }
  o.EndArray().EndObject();
  return o.Take();
}

std::string RenderFacet(const std::vector<engine::FacetHit>& hits) {
  JsonOut o;
  o.BeginObject().Key("hits").BeginArray();
  for (const auto& h : hits) {
    o.BeginObject().Key("value").Val(h.value).Key("count").Uint(h.count).EndObject();
  }
  o.EndArray().EndObject();
  return o.Take();
}

}  // namespace quiver::wire
