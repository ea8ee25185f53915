#include "wire/points_wire.h"

#include "wire/filter_json.h"
#include "wire/json_out.h"
#include "wire/limits.h"
#include "wire/points_json.h"
#include "wire/upsert_fast.h"

namespace quiver::wire {

using base::Result;
using base::Status;

namespace {

template <typename F>
Result<engine::Operation> FromBody(std::string_view body, F&& f) {
  auto doc = ParseBody(body);
  if (!doc.ok()) return doc.status();
  return f(doc.value(), "");
}

Status Limit(Json v, std::string_view path, size_t& out) {
  if (v.is_null()) return Status::Ok();
  auto u = AsUint(v, path);
  if (!u.ok()) return u.status();
  if (u.value() < 1) {
    return Status::Validation(std::string(path) + ": value 0 invalid, must be 1 or larger");
  }
  if (u.value() > Limits().max_query_limit) {
    return Status::Validation(
        std::string(path) + ": value " + std::to_string(u.value()) + " invalid, must be at most " +
        std::to_string(Limits().max_query_limit) + " (service.max_query_limit)");
  }
  out = u.value();
  return Status::Ok();
}

}  // namespace

Result<engine::Operation> ParseUpsert(std::string_view body) {
  if (auto op = TryParseUpsertFast(body)) return std::move(*op);
  return FromBody(body, UpsertFromJson);
}
Result<engine::Operation> ParseDeletePoints(std::string_view body) {
  return FromBody(body, DeleteFromJson);
}
Result<engine::Operation> ParseSetPayload(std::string_view body, bool overwrite) {
  return FromBody(body, [overwrite](Json v, std::string_view p) {
    return SetPayloadFromJson(v, p, overwrite);
  });
}
Result<engine::Operation> ParseDeletePayload(std::string_view body) {
  return FromBody(body, DeletePayloadFromJson);
}
Result<engine::Operation> ParseClearPayload(std::string_view body) {
  return FromBody(body, ClearPayloadFromJson);
}
Result<engine::Operation> ParseUpdateVectors(std::string_view body) {
  return FromBody(body, UpdateVectorsFromJson);
}
Result<engine::Operation> ParseDeleteVectors(std::string_view body) {
  return FromBody(body, DeleteVectorsFromJson);
}

Result<std::vector<engine::Operation>> ParseBatchUpdate(std::string_view body) {
  auto doc = ParseBody(body);
  if (!doc.ok()) return doc.status();
  auto obj = AsObject(doc.value(), "");
  if (!obj.ok()) return obj.status();
  Json ops;
  if (obj.value()["operations"].get(ops)) return MissingField("operations", "");
  auto arr = AsArray(ops, "operations");
  if (!arr.ok()) return arr.status();
  std::vector<engine::Operation> out;
  size_t i = 0;
  for (Json op : arr.value()) {
    std::string path = Sub("operations", i++);
    auto oo = AsObject(op, path);
    if (!oo.ok()) return oo.status();
    if (oo.value().size() != 1) {
      return Status::Format("data did not match any variant of untagged enum UpdateOperation at `" +
                            path + "`");
    }
    auto field = *oo.value().begin();
    std::string_view kind = field.key;
    std::string p = Sub(path, kind);
    Result<engine::Operation> r =
        Status::Format("unknown operation `" + std::string(kind) + "` at `" + path + "`");
    if (kind == "upsert") r = UpsertFromJson(field.value, p);
    if (kind == "delete") r = DeleteFromJson(field.value, p);
    if (kind == "set_payload") r = SetPayloadFromJson(field.value, p, false);
    if (kind == "overwrite_payload") r = SetPayloadFromJson(field.value, p, true);
    if (kind == "delete_payload") r = DeletePayloadFromJson(field.value, p);
    if (kind == "clear_payload") r = ClearPayloadFromJson(field.value, p);
    if (kind == "update_vectors") r = UpdateVectorsFromJson(field.value, p);
    if (kind == "delete_vectors") r = DeleteVectorsFromJson(field.value, p);
    if (!r.ok()) return r.status();
    out.push_back(std::move(r.value()));
  }
  return out;
}

Result<GetPointsRequest> ParseGetPoints(std::string_view body) {
  auto doc = ParseBody(body);
  if (!doc.ok()) return doc.status();
  auto obj = AsObject(doc.value(), "");
  if (!obj.ok()) return obj.status();
  GetPointsRequest req;
  req.with_payload.mode = engine::PayloadSelector::Mode::kAll;
  Json ids, wp, wv;
  if (obj.value()["ids"].get(ids)) return MissingField("ids", "");
  QUIVER_RETURN_IF_ERROR(ParseIdList(ids, "ids", req.ids));
  if (!obj.value()["with_payload"].get(wp)) {
    QUIVER_RETURN_IF_ERROR(ParseWithPayload(wp, "with_payload", req.with_payload));
  }
  // Qdrant's PointRequest takes `with_vectors` as an alias of `with_vector`.
  if (!obj.value()["with_vector"].get(wv) || !obj.value()["with_vectors"].get(wv)) {
    QUIVER_RETURN_IF_ERROR(ParseWithVector(wv, "with_vector", req.with_vector));
  }
  return req;
}

Result<engine::ScrollRequest> ParseScroll(std::string_view body) {
  engine::ScrollRequest req;
  req.with_payload.mode = engine::PayloadSelector::Mode::kAll;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return req;
  auto doc = ParseBody(body);
  if (!doc.ok()) return doc.status();
  auto obj = AsObject(doc.value(), "");
  if (!obj.ok()) return obj.status();
  Status st = ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    if (k == "offset") {
      if (f.is_null()) return Status::Ok();
      auto id = AsPointId(f, k);
      if (!id.ok()) return id.status();
      req.offset = id.value();
    } else if (k == "limit") {
      return Limit(f, k, req.limit);
    } else if (k == "filter") {
      if (f.is_null()) return Status::Ok();
      auto flt = ParseFilter(f, k);
      if (!flt.ok()) return flt.status();
      req.filter = std::move(flt.value());
    } else if (k == "with_payload") {
      return ParseWithPayload(f, k, req.with_payload);
    } else if (k == "with_vector" || k == "with_vectors") {  // alias, as in Qdrant's ScrollRequest
      return ParseWithVector(f, k, req.with_vector);
    } else if (k == "order_by") {
      if (f.is_null()) return Status::Ok();
      engine::OrderBy ob;
      QUIVER_RETURN_IF_ERROR(ParseOrderBy(f, k, ob));
      req.order_by = ob;
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (req.order_by && req.offset) {
    return Status::BadRequest(
        "Cannot use an `offset` when using `order_by`. The alternative for "
        "paging is to use `order_by.start_from` and a filter to exclude the "
        "IDs that you've already seen for the `order_by.start_from` value");
  }
  return req;
}

Result<std::optional<engine::Filter>> ParseCount(std::string_view body, bool* exact) {
  std::optional<engine::Filter> filter;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return filter;
  auto doc = ParseBody(body);
  if (!doc.ok()) return doc.status();
  auto obj = AsObject(doc.value(), "");
  if (!obj.ok()) return obj.status();
  Json f, e;
  if (!obj.value()["filter"].get(f) && !f.is_null()) {
    auto flt = ParseFilter(f, "filter");
    if (!flt.ok()) return flt.status();
    filter = std::move(flt.value());
  }
  if (!obj.value()["exact"].get(e) && !e.is_null()) {
    auto b = AsBool(e, "exact");
    if (!b.ok()) return b.status();
    if (exact) *exact = b.value();
  }
  return filter;
}

Result<engine::PointId> ParsePathPointId(std::string_view s) {
  uint64_t n = 0;
  bool numeric = !s.empty() && s.size() <= 20;
  for (char c : s) {
    if (c < '0' || c > '9') {
      numeric = false;
      break;
    }
    uint64_t next = n * 10 + uint64_t(c - '0');
    if (next / 10 != n) numeric = false;
    n = next;
  }
  if (numeric) return engine::PointId::Num(n);
  if (auto id = engine::PointId::ParseUuid(s)) return *id;
  return Status::Format("Unable to parse point id `" + std::string(s) +
                        "`, valid values are either an unsigned integer or a UUID");
}

static void RenderVectors(JsonOut& o, const engine::NamedVectors& v, bool single_vector) {
  if (single_vector && v.size() <= 1 && (v.empty() || v.count(""))) {
    if (v.empty()) {
      o.BeginObject().EndObject();
    } else {
      o.Floats(v.at(""));
    }
    return;
  }
  o.BeginObject();
  for (const auto& [name, vec] : v) {
    o.Key(name);
    o.Floats(vec);
  }
  o.EndObject();
}

static void RenderRecordTo(JsonOut& o, const engine::Record& r, bool single_vector, bool scored) {
  o.BeginObject();
  o.Key("id").Id(r.id);
  if (scored) {
    o.Key("version").Uint(r.version);
    o.Key("score").Float(r.score);
  }
  if (r.payload) {
    o.Key("payload").Val(r.payload->is_null() ? engine::Value(engine::Object{}) : *r.payload);
  }
  if (r.vectors) {
    o.Key("vector");
    RenderVectors(o, *r.vectors, single_vector);
  }
  if (r.order_value) o.Key("order_value").Val(*r.order_value);
  o.EndObject();
}

std::string RenderRecord(const engine::Record& r, bool single_vector) {
  JsonOut o;
  RenderRecordTo(o, r, single_vector, false);
  return o.Take();
}

std::string RenderRecords(const std::vector<engine::Record>& records, bool single_vector) {
  JsonOut o;
  o.BeginArray();
  for (const auto& r : records) RenderRecordTo(o, r, single_vector, false);
  o.EndArray();
  return o.Take();
}

std::string RenderScoredPoints(const std::vector<engine::Record>& records, bool single_vector) {
  JsonOut o;
  o.BeginArray();
  for (const auto& r : records) RenderRecordTo(o, r, single_vector, true);
  o.EndArray();
  return o.Take();
}

std::string RenderScroll(const engine::ScrollResult& r, bool single_vector) {
  JsonOut o;
  o.BeginObject().Key("points").BeginArray();
  for (const auto& rec : r.points) RenderRecordTo(o, rec, single_vector, false);
  o.EndArray();
  o.Key("next_page_offset");
  if (r.next_page_offset) {
    o.Id(*r.next_page_offset);
  } else {
    o.Null();
  }
  o.EndObject();
  return o.Take();
}

std::string RenderUpdateResult(uint64_t operation_id, bool completed) {
  JsonOut o;
  o.BeginObject().Key("operation_id").Uint(operation_id);
  o.Key("status").String(completed ? "completed" : "acknowledged").EndObject();
  return o.Take();
}

std::string RenderCount(uint64_t count) {
  JsonOut o;
  o.BeginObject().Key("count").Uint(count).EndObject();
  return o.Take();
}

}  // namespace quiver::wire
