#include "wire/points_json.h"

#include <cmath>

#include "engine/payload/datetime.h"
#include "wire/filter_json.h"
#include "wire/limits.h"

namespace quiver::wire {

using base::Result;
using base::Status;

Status ParseFloats(Json v, std::string_view path, std::vector<float>& out) {
  auto arr = AsArray(v, path);
  if (!arr.ok()) return arr.status();
  out.clear();
  out.reserve(arr.value().size());
  size_t i = 0;
  for (Json e : arr.value()) {
    double d;
    if (e.is_int64()) {
      d = double(e.get_int64().value_unsafe());
    } else if (e.is_uint64()) {
      d = double(e.get_uint64().value_unsafe());
    } else if (e.get_double().get(d)) {
      if (e.is_array()) {
        return Status::BadRequest("multivectors are not supported by Quiver yet");
      }
      return TypeError(e, "f32", Sub(path, i));
    }
    float f = static_cast<float>(d);
    if (!std::isfinite(f)) {
      return Status::Format("invalid value: " + simdjson::minify(e) +
                            ", expected a finite f32 at `" + Sub(path, i) + "`");
    }
    out.push_back(f);
    ++i;
  }
  return Status::Ok();
}

Status ParseVectorStruct(Json v, std::string_view path, engine::NamedVectors& out) {
  out.clear();
  if (v.is_array()) return ParseFloats(v, path, out[""]);
  JsonObject obj;
  if (v.get_object().get(obj)) {
    return Status::Format("data did not match any variant of untagged enum VectorStruct at `" +
                          std::string(path) + "`");
  }
  return ForEachField(obj, [&](std::string_view name, Json f) -> Status {
    if (!f.is_array()) {
      if (f.is_object()) {
        return Status::BadRequest(
            "sparse vectors and inference objects are not supported by "
            "Quiver yet (vector `" +
            std::string(name) + "`)");
      }
      return TypeError(f, "a vector", Sub(path, name));
    }
    return ParseFloats(f, Sub(path, name), out[std::string(name)]);
  });
}

Status ParseIdList(Json v, std::string_view path, std::vector<engine::PointId>& out) {
  auto arr = AsArray(v, path);
  if (!arr.ok()) return arr.status();
  size_t i = 0;
  for (Json e : arr.value()) {
    auto id = AsPointId(e, Sub(path, i++));
    if (!id.ok()) return id.status();
    out.push_back(id.value());
  }
  return Status::Ok();
}

Status ParseSelectorFields(JsonObject obj, std::string_view path, engine::PointSelector& out) {
  Json points, filter;
  bool has_points = !obj["points"].get(points) && !points.is_null();
  bool has_filter = !obj["filter"].get(filter) && !filter.is_null();
  if (has_points) return ParseIdList(points, Sub(path, "points"), out.ids);
  if (has_filter) {
    auto f = ParseFilter(filter, Sub(path, "filter"));
    if (!f.ok()) return f.status();
    out.filter = std::move(f.value());
    return Status::Ok();
  }
  return Status::Format("data did not match any variant of untagged enum PointsSelector" +
                        (path.empty() ? std::string() : " at `" + std::string(path) + "`"));
}

static Status StringList(Json v, std::string_view path, std::vector<std::string>& out) {
  std::string_view s;
  if (!v.get_string().get(s)) {
    out.emplace_back(s);
    return Status::Ok();
  }
  auto arr = AsArray(v, path);
  if (!arr.ok()) return arr.status();
  size_t i = 0;
  for (Json e : arr.value()) {
    auto str = AsString(e, Sub(path, i++));
    if (!str.ok()) return str.status();
    out.push_back(str.value());
  }
  return Status::Ok();
}

Status ParseWithPayload(Json v, std::string_view path, engine::PayloadSelector& out) {
  using Mode = engine::PayloadSelector::Mode;
  if (v.is_null()) return Status::Ok();
  bool b;
  if (!v.get_bool().get(b)) {
    out.mode = b ? Mode::kAll : Mode::kNone;
    return Status::Ok();
  }
  if (v.is_array()) {
    out.mode = Mode::kInclude;
    return StringList(v, path, out.keys);
  }
  JsonObject obj;
  if (!v.get_object().get(obj)) {
    Json inner;
    if (!obj["include"].get(inner)) {
      out.mode = Mode::kInclude;
      return StringList(inner, Sub(path, "include"), out.keys);
    }
    if (!obj["exclude"].get(inner)) {
      out.mode = Mode::kExclude;
      return StringList(inner, Sub(path, "exclude"), out.keys);
    }
  }
  return Status::Format(
      "data did not match any variant of untagged enum WithPayloadInterface at `" +
      std::string(path) + "`");
}

Status ParseWithVector(Json v, std::string_view path, engine::VectorSelector& out) {
  if (v.is_null()) return Status::Ok();
  bool b;
  if (!v.get_bool().get(b)) {
    out.all = b;
    return Status::Ok();
  }
  if (v.is_array()) return StringList(v, path, out.names);
  return Status::Format("data did not match any variant of untagged enum WithVector at `" +
                        std::string(path) + "`");
}

static Status ParsePayloadValue(Json v, std::string_view path, std::optional<engine::Value>& out) {
  if (v.is_null()) return Status::Ok();
  if (!v.is_object()) return TypeError(v, "a map", path);
  out = ToValue(v);
  return Status::Ok();
}

// service.max_batch_points: points in one upsert.
Status CheckBatchSize(size_t n, const std::string& path) {
  const uint64_t max = Limits().max_batch_points;
  if (n <= max) return Status::Ok();
  return Status::Validation(path + ": " + std::to_string(n) +
                            " points in one request, the limit is " + std::to_string(max) +
                            " (service.max_batch_points)");
}

Result<engine::Operation> UpsertFromJson(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  engine::UpsertOp op;
  Json uf, mode;
  if (!obj.value()["update_filter"].get(uf) && !uf.is_null()) {
    auto f = ParseFilter(uf, Sub(path, "update_filter"));
    if (!f.ok()) return f.status();
    op.update_filter = std::move(f.value());
  }
  if (!obj.value()["update_mode"].get(mode) && !mode.is_null()) {
    auto m = AsString(mode, Sub(path, "update_mode"));
    if (!m.ok()) return m.status();
    if (m.value() == "upsert") {
      op.mode = engine::UpsertOp::Mode::kUpsert;
    } else if (m.value() == "insert_only") {
      op.mode = engine::UpsertOp::Mode::kInsertOnly;
    } else if (m.value() == "update_only") {
      op.mode = engine::UpsertOp::Mode::kUpdateOnly;
    } else {
      return Status::Format("unknown variant `" + m.value() +
                            "`, expected one of `upsert`, `insert_only`, `update_only`");
    }
  }
  Json points, batch;
  if (!obj.value()["points"].get(points)) {
    auto arr = AsArray(points, Sub(path, "points"));
    if (!arr.ok()) return arr.status();
    QUIVER_RETURN_IF_ERROR(CheckBatchSize(arr.value().size(), Sub(path, "points")));
    size_t i = 0;
    for (Json p : arr.value()) {
      std::string pp = Sub(Sub(path, "points"), i++);
      auto po = AsObject(p, pp);
      if (!po.ok()) return po.status();
      engine::PointStruct ps;
      Json id, vec, payload;
      if (po.value()["id"].get(id)) return MissingField("id", pp);
      auto pid = AsPointId(id, Sub(pp, "id"));
      if (!pid.ok()) return pid.status();
      ps.id = pid.value();
      if (po.value()["vector"].get(vec)) {
        if (po.value()["vectors"].get(vec)) return MissingField("vector", pp);
      }
      QUIVER_RETURN_IF_ERROR(ParseVectorStruct(vec, Sub(pp, "vector"), ps.vectors));
      if (!po.value()["payload"].get(payload)) {
        QUIVER_RETURN_IF_ERROR(ParsePayloadValue(payload, Sub(pp, "payload"), ps.payload));
      }
      op.points.push_back(std::move(ps));
    }
    return engine::Operation(std::move(op));
  }
  if (!obj.value()["batch"].get(batch)) {
    std::string bp = Sub(path, "batch");
    auto bo = AsObject(batch, bp);
    if (!bo.ok()) return bo.status();
    Json ids, vectors, payloads;
    if (bo.value()["ids"].get(ids)) return MissingField("ids", bp);
    std::vector<engine::PointId> id_list;
    QUIVER_RETURN_IF_ERROR(ParseIdList(ids, Sub(bp, "ids"), id_list));
    QUIVER_RETURN_IF_ERROR(CheckBatchSize(id_list.size(), Sub(bp, "ids")));
    op.points.resize(id_list.size());
    for (size_t i = 0; i < id_list.size(); ++i) op.points[i].id = id_list[i];
    if (bo.value()["vectors"].get(vectors)) return MissingField("vectors", bp);
    auto fill = [&](Json list, const std::string& name, const std::string& lp) -> Status {
      auto arr = AsArray(list, lp);
      if (!arr.ok()) return arr.status();
      if (arr.value().size() != id_list.size()) {
        return Status::BadInput("Wrong input: number of ids and vectors must be equal");
      }
      size_t i = 0;
      for (Json e : arr.value()) {
        QUIVER_RETURN_IF_ERROR(ParseFloats(e, Sub(lp, i), op.points[i].vectors[name]));
        ++i;
      }
      return Status::Ok();
    };
    if (vectors.is_array()) {
      QUIVER_RETURN_IF_ERROR(fill(vectors, "", Sub(bp, "vectors")));
    } else {
      auto vo = AsObject(vectors, Sub(bp, "vectors"));
      if (!vo.ok()) return vo.status();
      QUIVER_RETURN_IF_ERROR(ForEachField(vo.value(), [&](std::string_view name, Json list) {
        return fill(list, std::string(name), Sub(Sub(bp, "vectors"), name));
      }));
    }
    if (!bo.value()["payloads"].get(payloads) && !payloads.is_null()) {
      auto arr = AsArray(payloads, Sub(bp, "payloads"));
      if (!arr.ok()) return arr.status();
      if (arr.value().size() != id_list.size()) {
        return Status::BadInput("Wrong input: number of ids and payloads must be equal");
      }
      size_t i = 0;
      for (Json e : arr.value()) {
        QUIVER_RETURN_IF_ERROR(
            ParsePayloadValue(e, Sub(Sub(bp, "payloads"), i), op.points[i].payload));
        ++i;
      }
    }
    return engine::Operation(std::move(op));
  }
  return Status::Format("data did not match any variant of untagged enum PointInsertOperations");
}

Result<engine::Operation> DeleteFromJson(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  engine::DeletePointsOp op;
  QUIVER_RETURN_IF_ERROR(ParseSelectorFields(obj.value(), path, op.selector));
  return engine::Operation(std::move(op));
}

Result<engine::Operation> SetPayloadFromJson(Json v, std::string_view path, bool overwrite) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  engine::SetPayloadOp op;
  op.overwrite = overwrite;
  Json payload, key;
  if (obj.value()["payload"].get(payload)) return MissingField("payload", path);
  if (!payload.is_object()) return TypeError(payload, "a map", Sub(path, "payload"));
  op.payload = ToValue(payload);
  if (!obj.value()["key"].get(key) && !key.is_null()) {
    auto k = AsString(key, Sub(path, "key"));
    if (!k.ok()) return k.status();
    op.key = k.value();
  }
  QUIVER_RETURN_IF_ERROR(ParseSelectorFields(obj.value(), path, op.selector));
  return engine::Operation(std::move(op));
}

Result<engine::Operation> DeletePayloadFromJson(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  engine::DeletePayloadOp op;
  Json keys;
  if (obj.value()["keys"].get(keys)) return MissingField("keys", path);
  QUIVER_RETURN_IF_ERROR(StringList(keys, Sub(path, "keys"), op.keys));
  QUIVER_RETURN_IF_ERROR(ParseSelectorFields(obj.value(), path, op.selector));
  return engine::Operation(std::move(op));
}

Result<engine::Operation> ClearPayloadFromJson(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  engine::ClearPayloadOp op;
  QUIVER_RETURN_IF_ERROR(ParseSelectorFields(obj.value(), path, op.selector));
  return engine::Operation(std::move(op));
}

Result<engine::Operation> UpdateVectorsFromJson(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  engine::UpdateVectorsOp op;
  Json points, uf;
  if (obj.value()["points"].get(points)) return MissingField("points", path);
  auto arr = AsArray(points, Sub(path, "points"));
  if (!arr.ok()) return arr.status();
  size_t i = 0;
  for (Json p : arr.value()) {
    std::string pp = Sub(Sub(path, "points"), i++);
    auto po = AsObject(p, pp);
    if (!po.ok()) return po.status();
    engine::PointStruct ps;
    Json id, vec;
    if (po.value()["id"].get(id)) return MissingField("id", pp);
    auto pid = AsPointId(id, Sub(pp, "id"));
    if (!pid.ok()) return pid.status();
    ps.id = pid.value();
    if (po.value()["vector"].get(vec)) return MissingField("vector", pp);
    QUIVER_RETURN_IF_ERROR(ParseVectorStruct(vec, Sub(pp, "vector"), ps.vectors));
    op.points.push_back(std::move(ps));
  }
  if (!obj.value()["update_filter"].get(uf) && !uf.is_null()) {
    auto f = ParseFilter(uf, Sub(path, "update_filter"));
    if (!f.ok()) return f.status();
    op.update_filter = std::move(f.value());
  }
  return engine::Operation(std::move(op));
}

Result<engine::Operation> DeleteVectorsFromJson(Json v, std::string_view path) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  engine::DeleteVectorsOp op;
  Json names;
  if (obj.value()["vector"].get(names)) return MissingField("vector", path);
  QUIVER_RETURN_IF_ERROR(StringList(names, Sub(path, "vector"), op.names));
  QUIVER_RETURN_IF_ERROR(ParseSelectorFields(obj.value(), path, op.selector));
  return engine::Operation(std::move(op));
}

Status ParseOrderBy(Json f, std::string_view k, engine::OrderBy& out) {
  std::string_view key;
  if (!f.get_string().get(key)) {
    out.key = std::string(key);
  } else {
    auto oo = AsObject(f, k);
    if (!oo.ok()) return oo.status();
    Json kj, dj, sj;
    if (oo.value()["key"].get(kj)) return MissingField("key", k);
    auto ks = AsString(kj, Sub(k, "key"));
    if (!ks.ok()) return ks.status();
    out.key = ks.value();
    if (!oo.value()["direction"].get(dj) && !dj.is_null()) {
      auto d = AsString(dj, Sub(k, "direction"));
      if (!d.ok()) return d.status();
      if (d.value() != "asc" && d.value() != "desc") {
        return Status::Format("unknown variant `" + d.value() + "`, expected `asc` or `desc` at `" +
                              Sub(k, "direction") + "`");
      }
      out.descending = d.value() == "desc";
    }
    if (!oo.value()["start_from"].get(sj) && !sj.is_null()) {
      std::string_view ds;
      if (!sj.get_string().get(ds)) {
        auto micros = engine::ParseDatetimeMicros(ds);
        if (!micros) return Status::Format("invalid datetime at `" + Sub(k, "start_from") + "`");
        out.start_from = double(*micros);
      } else {
        auto d = AsDouble(sj, Sub(k, "start_from"));
        if (!d.ok()) return d.status();
        out.start_from = d.value();
      }
    }
  }
  return Status::Ok();
}

}  // namespace quiver::wire
