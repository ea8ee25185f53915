#include "wire/collections_wire.h"

#include <algorithm>
#include <set>

#include "wire/index_params_wire.h"
#include "wire/json_in.h"
#include "wire/json_out.h"
#include "wire/limits.h"

namespace quiver::wire {

using base::Result;
using base::Status;
using engine::CollectionConfig;

namespace {

bool IsNull(Json v) { return v.is_null(); }

Status Min(std::string_view path, double v, double min) {
  if (v >= min) return Status::Ok();
  char buf[64];
  snprintf(buf, sizeof(buf), "%g", v);
  char mbuf[64];
  snprintf(mbuf, sizeof(mbuf), "%g", min);
  return Status::Validation(std::string(path) + ": value " + buf + " invalid, must be " + mbuf +
                            " or larger");
}

Status Range(std::string_view path, double v, double min, double max) {
  if (v >= min && v <= max) return Status::Ok();
  char buf[64], a[32], b[32];
  snprintf(buf, sizeof(buf), "%g", v);
  snprintf(a, sizeof(a), "%g", min);
  snprintf(b, sizeof(b), "%g", max);
  return Status::Validation(std::string(path) + ": value " + buf + " invalid, must be from " + a +
                            " to " + b);
}

// Reads an optional unsigned field with a minimum into `out` (null leaves it unchanged).
template <typename T>
Status OptU(Json v, std::string_view path, uint64_t min, T& out) {
  if (IsNull(v)) return Status::Ok();
  auto u = AsUint(v, path);
  if (!u.ok()) return u.status();
  QUIVER_RETURN_IF_ERROR(Min(path, double(u.value()), double(min)));
  out = u.value();
  return Status::Ok();
}

template <typename T>
Status OptB(Json v, std::string_view path, T& out) {
  if (IsNull(v)) return Status::Ok();
  auto b = AsBool(v, path);
  if (!b.ok()) return b.status();
  out = b.value();
  return Status::Ok();
}

Status ParseHnswDiff(Json v, std::string_view path, engine::HnswConfigDiff& h) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  return ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    std::string p = Sub(path, k);
    if (k == "m") return OptU(f, p, 0, h.m);
    if (k == "ef_construct") return OptU(f, p, 4, h.ef_construct);
    if (k == "full_scan_threshold") return OptU(f, p, 10, h.full_scan_threshold);
    if (k == "max_indexing_threads") return OptU(f, p, 0, h.max_indexing_threads);
    if (k == "payload_m") return OptU(f, p, 0, h.payload_m);
    if (k == "on_disk") return OptB(f, p, h.on_disk);
    if (k == "inline_storage") return OptB(f, p, h.inline_storage);
    return Status::Ok();  // memory and newer knobs are accepted and ignored
  });
}

void ApplyHnswDiff(const engine::HnswConfigDiff& d, engine::HnswConfig& h) {
  if (d.m) h.m = *d.m;
  if (d.ef_construct) h.ef_construct = *d.ef_construct;
  if (d.full_scan_threshold) h.full_scan_threshold = *d.full_scan_threshold;
  if (d.max_indexing_threads) h.max_indexing_threads = *d.max_indexing_threads;
  if (d.payload_m) h.payload_m = d.payload_m;
  if (d.on_disk) h.on_disk = d.on_disk;
  if (d.inline_storage) h.inline_storage = d.inline_storage;
}

Status ParseOptimizers(Json v, std::string_view path, engine::OptimizersConfig& o) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  return ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    std::string p = Sub(path, k);
    if (k == "deleted_threshold") {
      if (IsNull(f)) return Status::Ok();
      auto d = AsDouble(f, p);
      if (!d.ok()) return d.status();
      QUIVER_RETURN_IF_ERROR(Range(p, d.value(), 0, 1));
      o.deleted_threshold = d.value();
      return Status::Ok();
    }
    if (k == "vacuum_min_vector_number") return OptU(f, p, 100, o.vacuum_min_vector_number);
    if (k == "default_segment_number") return OptU(f, p, 0, o.default_segment_number);
    if (k == "max_segment_size") return OptU(f, p, 1, o.max_segment_size);
    if (k == "memmap_threshold") return OptU(f, p, 0, o.memmap_threshold);
    if (k == "indexing_threshold") return OptU(f, p, 0, o.indexing_threshold);
    if (k == "flush_interval_sec") return OptU(f, p, 0, o.flush_interval_sec);
    if (k == "max_optimization_threads") return OptU(f, p, 0, o.max_optimization_threads);
    if (k == "prevent_unoptimized") return OptB(f, p, o.prevent_unoptimized);
    return Status::Ok();
  });
}

Status ParseWal(Json v, std::string_view path, engine::WalConfig& w) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  return ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    std::string p = Sub(path, k);
    if (k == "wal_capacity_mb") return OptU(f, p, 1, w.wal_capacity_mb);
    if (k == "wal_segments_ahead") return OptU(f, p, 0, w.wal_segments_ahead);
    if (k == "wal_retain_closed") return OptU(f, p, 0, w.wal_retain_closed);
    return Status::Ok();
  });
}

Result<std::string> Enum(Json v, std::string_view path,
                         std::initializer_list<const char*> allowed) {
  auto s = AsString(v, path);
  if (!s.ok()) return s.status();
  for (const char* a : allowed) {
    if (s.value() == a) return s.value();
  }
  std::string list;
  for (const char* a : allowed) list += (list.empty() ? "`" : ", `") + std::string(a) + "`";
  return Status::Format("unknown variant `" + s.value() + "`, expected one of " + list + " at `" +
                        std::string(path) + "`");
}

// QuantizationConfig; `disabled_ok` for updates ("Disabled" resets it → nullopt).
Status ParseQuantization(Json v, std::string_view path, bool disabled_ok,
                         std::optional<engine::QuantizationConfig>& out) {
  if (IsNull(v)) return Status::Ok();
  std::string_view s;
  if (disabled_ok && !v.get_string().get(s) && s == "Disabled") {
    out.reset();
    return Status::Ok();
  }
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  engine::QuantizationConfig q;
  Json inner;
  std::string p;
  if (!obj.value()["scalar"].get(inner)) {
    q.kind = engine::QuantizationConfig::Kind::kScalar;
    p = Sub(path, "scalar");
    auto io = AsObject(inner, p);
    if (!io.ok()) return io.status();
    Json t;
    if (io.value()["type"].get(t)) return MissingField("type", p);
    auto type = Enum(t, Sub(p, "type"), {"int8"});
    if (!type.ok()) return type.status();
    q.type = type.value();
    Json qt;
    if (!io.value()["quantile"].get(qt) && !IsNull(qt)) {
      auto d = AsDouble(qt, Sub(p, "quantile"));
      if (!d.ok()) return d.status();
      QUIVER_RETURN_IF_ERROR(Range(Sub(p, "quantile"), d.value(), 0.5, 1.0));
      q.quantile = d.value();
    }
  } else if (!obj.value()["product"].get(inner)) {
    q.kind = engine::QuantizationConfig::Kind::kProduct;
    p = Sub(path, "product");
    auto io = AsObject(inner, p);
    if (!io.ok()) return io.status();
    Json c;
    if (io.value()["compression"].get(c)) return MissingField("compression", p);
    auto comp = Enum(c, Sub(p, "compression"), {"x4", "x8", "x16", "x32", "x64"});
    if (!comp.ok()) return comp.status();
    q.compression = comp.value();
  } else if (!obj.value()["binary"].get(inner)) {
    q.kind = engine::QuantizationConfig::Kind::kBinary;
    p = Sub(path, "binary");
    auto io = AsObject(inner, p);
    if (!io.ok()) return io.status();
    Json e;
    if (!io.value()["encoding"].get(e) && !IsNull(e)) {
      auto enc = Enum(e, Sub(p, "encoding"), {"one_bit", "two_bits", "one_and_half_bits"});
      if (!enc.ok()) return enc.status();
      q.encoding = enc.value();
    }
    if (!io.value()["query_encoding"].get(e) && !IsNull(e)) {
      auto enc =
          Enum(e, Sub(p, "query_encoding"), {"default", "binary", "scalar4bits", "scalar8bits"});
      if (!enc.ok()) return enc.status();
      q.query_encoding = enc.value();
    }
  } else {
    return Status::Format(
        "data did not match any variant of untagged enum QuantizationConfig at `" +
        std::string(path) + "`");
  }
  Json ar;
  auto io = AsObject(inner, p);
  if (io.ok() && !io.value()["always_ram"].get(ar))
    QUIVER_RETURN_IF_ERROR(OptB(ar, Sub(p, "always_ram"), q.always_ram));
  out = q;
  return Status::Ok();
}

Status ParseVectorParams(Json v, std::string_view path, engine::VectorParams& p) {
  auto obj = AsObject(v, path);
  if (!obj.ok()) return obj.status();
  Json size, distance;
  if (obj.value()["size"].get(size)) return MissingField("size", path);
  if (obj.value()["distance"].get(distance)) return MissingField("distance", path);
  auto s = AsUint(size, Sub(path, "size"));
  if (!s.ok()) return s.status();
  if (s.value() == 0) {
    return Status::Format("invalid value: integer `0`, expected a nonzero u64 at `" +
                          Sub(path, "size") + "`");
  }
  if (s.value() > 65536) {
    return Status::Validation(Sub(path, "size") + ": value " + std::to_string(s.value()) +
                              " invalid, must be from 1 to 65536");
  }
  if (s.value() > Limits().max_vector_dimension) {
    return Status::Validation(
        Sub(path, "size") + ": value " + std::to_string(s.value()) + " invalid, must be at most " +
        std::to_string(Limits().max_vector_dimension) + " (service.max_vector_dimension)");
  }
  p.size = s.value();
  auto d = Enum(distance, Sub(path, "distance"), {"Cosine", "Euclid", "Dot", "Manhattan"});
  if (!d.ok()) return d.status();
  p.distance = *engine::ParseDistance(d.value());
  return ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    std::string fp = Sub(path, k);
    if (k == "hnsw_config") {
      if (IsNull(f)) return Status::Ok();
      engine::HnswConfigDiff h;
      QUIVER_RETURN_IF_ERROR(ParseHnswDiff(f, fp, h));
      p.hnsw_config = h;
    } else if (k == "quantization_config") {
      return ParseQuantization(f, fp, false, p.quantization_config);
    } else if (k == "on_disk") {
      return OptB(f, fp, p.on_disk);
    } else if (k == "datatype") {
      if (IsNull(f)) return Status::Ok();
      auto dt = Enum(f, fp, {"float32", "uint8", "float16"});
      if (!dt.ok()) return dt.status();
      p.datatype = dt.value();
    } else if (k == "multivector_config") {
      if (!IsNull(f)) p.multivector = true;
    }
    return Status::Ok();
  });
}

Status ParseVectorsConfig(Json v, CollectionConfig& c) {
  auto obj = AsObject(v, "vectors");
  if (!obj.ok()) return obj.status();
  Json probe;
  if (!obj.value()["size"].get(probe) || !obj.value()["distance"].get(probe)) {
    engine::VectorParams p;
    QUIVER_RETURN_IF_ERROR(ParseVectorParams(v, "vectors", p));
    c.vectors[""] = p;
    c.single_vector = true;
    return Status::Ok();
  }
  c.single_vector = false;
  return ForEachField(obj.value(), [&](std::string_view name, Json f) -> Status {
    if (name.empty()) return Status::Validation("vectors: vector name cannot be empty");
    engine::VectorParams p;
    QUIVER_RETURN_IF_ERROR(ParseVectorParams(f, Sub("vectors", name), p));
    c.vectors[std::string(name)] = p;
    return Status::Ok();
  });
}

}  // namespace

Result<CollectionConfig> ParseCreateCollection(std::string_view body,
                                               const CollectionConfig& defaults) {
  auto doc = ParseBody(body);
  if (!doc.ok()) return doc.status();
  auto obj = AsObject(doc.value(), "");
  if (!obj.ok()) return obj.status();
  CollectionConfig c = defaults;
  c.vectors.clear();
  c.single_vector = false;
  Status st = ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    if (k == "vectors") return ParseVectorsConfig(f, c);
    if (k == "shard_number") return OptU(f, k, 1, c.shard_number);
    if (k == "replication_factor") return OptU(f, k, 1, c.replication_factor);
    if (k == "write_consistency_factor") return OptU(f, k, 1, c.write_consistency_factor);
    if (k == "on_disk_payload") {
      std::optional<bool> b;
      QUIVER_RETURN_IF_ERROR(OptB(f, k, b));
      if (b) c.on_disk_payload = *b;
      return Status::Ok();
    }
    if (k == "hnsw_config") {
      if (IsNull(f)) return Status::Ok();
      engine::HnswConfigDiff h;
      QUIVER_RETURN_IF_ERROR(ParseHnswDiff(f, k, h));
      ApplyHnswDiff(h, c.hnsw_config);
      return Status::Ok();
    }
    if (k == "optimizers_config")
      return IsNull(f) ? Status::Ok() : ParseOptimizers(f, k, c.optimizer_config);
    if (k == "wal_config") return IsNull(f) ? Status::Ok() : ParseWal(f, k, c.wal_config);
    if (k == "quantization_config") return ParseQuantization(f, k, false, c.quantization_config);
    if (k == "sparse_vectors") {
      if (IsNull(f)) return Status::Ok();
      auto so = AsObject(f, k);
      if (!so.ok()) return so.status();
      if (so.value().size() > 0) {
        return Status::BadRequest("sparse vectors are not supported by Quiver yet");
      }
    }
    if (k == "init_from" && !IsNull(f)) {
      // Accepting it would create an empty collection where the client expects a copy.
      return Status::BadRequest("`init_from` is not supported by Quiver yet");
    }
    if (k == "metadata" && !IsNull(f)) {
      auto mo = AsObject(f, k);
      if (!mo.ok()) return mo.status();
      c.metadata = ToValue(f);
      return Status::Ok();
    }
    return Status::Ok();  // sharding_method, strict_mode_config: accepted
  });
  if (!st.ok()) return st;
  if (c.vectors.empty()) {
    return Status::BadRequest("a collection needs at least one dense vector (`vectors`)");
  }
  return c;
}

Result<CollectionConfig> ParseUpdateCollection(std::string_view body,
                                               const CollectionConfig& current) {
  auto doc = ParseBody(body);
  if (!doc.ok()) return doc.status();
  auto obj = AsObject(doc.value(), "");
  if (!obj.ok()) return obj.status();
  CollectionConfig c = current;
  Status st = ForEachField(obj.value(), [&](std::string_view k, Json f) -> Status {
    if (IsNull(f)) return Status::Ok();
    if (k == "optimizers_config") return ParseOptimizers(f, k, c.optimizer_config);
    if (k == "hnsw_config") {
      engine::HnswConfigDiff h;
      QUIVER_RETURN_IF_ERROR(ParseHnswDiff(f, k, h));
      ApplyHnswDiff(h, c.hnsw_config);
      return Status::Ok();
    }
    if (k == "quantization_config") return ParseQuantization(f, k, true, c.quantization_config);
    if (k == "params") {
      auto po = AsObject(f, k);
      if (!po.ok()) return po.status();
      return ForEachField(po.value(), [&](std::string_view pk, Json pf) -> Status {
        std::string p = Sub(k, pk);
        if (pk == "replication_factor") return OptU(pf, p, 1, c.replication_factor);
        if (pk == "write_consistency_factor") return OptU(pf, p, 1, c.write_consistency_factor);
        if (pk == "on_disk_payload") {
          std::optional<bool> b;
          QUIVER_RETURN_IF_ERROR(OptB(pf, p, b));
          if (b) c.on_disk_payload = *b;
        }
        return Status::Ok();
      });
    }
    if (k == "vectors") {
      auto vo = AsObject(f, k);
      if (!vo.ok()) return vo.status();
      return ForEachField(vo.value(), [&](std::string_view name, Json vf) -> Status {
        auto it = c.vectors.find(std::string(name));
        if (it == c.vectors.end()) {
          return Status::BadInput("Wrong input: Vector params for " +
                                  (name.empty() ? std::string("default") : std::string(name)) +
                                  " are not specified in config");
        }
        auto vfo = AsObject(vf, Sub(k, name));
        if (!vfo.ok()) return vfo.status();
        return ForEachField(vfo.value(), [&](std::string_view vk, Json x) -> Status {
          std::string p = Sub(Sub(k, name), vk);
          if (IsNull(x)) return Status::Ok();
          if (vk == "hnsw_config") {
            engine::HnswConfigDiff h;
            QUIVER_RETURN_IF_ERROR(ParseHnswDiff(x, p, h));
            it->second.hnsw_config = h;
          } else if (vk == "quantization_config") {
            return ParseQuantization(x, p, true, it->second.quantization_config);
          } else if (vk == "on_disk") {
            return OptB(x, p, it->second.on_disk);
          }
          return Status::Ok();
        });
      });
    }
    if (k == "sparse_vectors")
      return Status::BadRequest("sparse vectors are not supported by Quiver yet");
    if (k == "metadata") {  // merged into the stored object; a null value removes its key
      auto mo = AsObject(f, k);
      if (!mo.ok()) return mo.status();
      engine::Value merged = c.metadata ? *c.metadata : engine::Value(engine::Object{});
      engine::Value update = ToValue(f);
      for (auto& entry : update.as_object()) {
        const std::string& key = entry.first;
        if (entry.second.is_null()) {
          auto& fields = merged.as_object();
          fields.erase(std::remove_if(fields.begin(), fields.end(),
                                      [&key](const auto& kv) { return kv.first == key; }),
                       fields.end());
        } else {
          merged.Set(key, std::move(entry.second));
        }
      }
      c.metadata = std::move(merged);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return c;
}

Result<std::vector<engine::AliasAction>> ParseAliasActions(std::string_view body) {
  auto doc = ParseBody(body);
  if (!doc.ok()) return doc.status();
  auto obj = AsObject(doc.value(), "");
  if (!obj.ok()) return obj.status();
  Json actions_json;
  if (obj.value()["actions"].get(actions_json)) return MissingField("actions", "");
  auto arr = AsArray(actions_json, "actions");
  if (!arr.ok()) return arr.status();
  std::vector<engine::AliasAction> out;
  size_t i = 0;
  for (Json a : arr.value()) {
    std::string path = Sub("actions", i++);
    auto ao = AsObject(a, path);
    if (!ao.ok()) return ao.status();
    engine::AliasAction act;
    Json inner;
    auto str = [&](JsonObject o, const char* key, std::string& dst,
                   const std::string& p) -> Status {
      Json v;
      if (o[key].get(v)) return MissingField(key, p);
      auto s = AsString(v, Sub(p, key));
      if (!s.ok()) return s.status();
      dst = s.value();
      return Status::Ok();
    };
    if (!ao.value()["create_alias"].get(inner)) {
      std::string p = Sub(path, "create_alias");
      auto io = AsObject(inner, p);
      if (!io.ok()) return io.status();
      act.kind = engine::AliasAction::Kind::kCreate;
      QUIVER_RETURN_IF_ERROR(str(io.value(), "collection_name", act.collection_name, p));
      QUIVER_RETURN_IF_ERROR(str(io.value(), "alias_name", act.alias_name, p));
      QUIVER_RETURN_IF_ERROR(engine::Catalog::ValidateName(act.alias_name));
    } else if (!ao.value()["delete_alias"].get(inner)) {
      std::string p = Sub(path, "delete_alias");
      auto io = AsObject(inner, p);
      if (!io.ok()) return io.status();
      act.kind = engine::AliasAction::Kind::kDelete;
      QUIVER_RETURN_IF_ERROR(str(io.value(), "alias_name", act.alias_name, p));
    } else if (!ao.value()["rename_alias"].get(inner)) {
      std::string p = Sub(path, "rename_alias");
      auto io = AsObject(inner, p);
      if (!io.ok()) return io.status();
      act.kind = engine::AliasAction::Kind::kRename;
      QUIVER_RETURN_IF_ERROR(str(io.value(), "old_alias_name", act.old_alias_name, p));
      QUIVER_RETURN_IF_ERROR(str(io.value(), "new_alias_name", act.new_alias_name, p));
      QUIVER_RETURN_IF_ERROR(engine::Catalog::ValidateName(act.new_alias_name));
    } else {
      return Status::Format("data did not match any variant of untagged enum AliasOperations at `" +
                            path + "`");
    }
    out.push_back(std::move(act));
  }
  return out;
}

Result<CreateIndexRequest> ParseCreateIndex(std::string_view body) {
  auto doc = ParseBody(body);
  if (!doc.ok()) return doc.status();
  auto obj = AsObject(doc.value(), "");
  if (!obj.ok()) return obj.status();
  CreateIndexRequest req;
  Json f;
  if (obj.value()["field_name"].get(f)) return MissingField("field_name", "");
  auto name = AsString(f, "field_name");
  if (!name.ok()) return name.status();
  req.field_name = name.value();
  if (req.field_name.empty()) return Status::Validation("field_name: must not be empty");
  static const std::set<std::string> kTypes = {"keyword", "integer", "float",    "geo",
                                               "text",    "bool",    "datetime", "uuid"};
  Json schema;
  if (obj.value()["field_schema"].get(schema) || schema.is_null()) {
    return Status::BadRequest(
        "Can't auto-detect field type, please specify `field_schema` in the request");
  }
  std::string_view type_name;
  if (!schema.get_string().get(type_name)) {
    if (!kTypes.count(std::string(type_name))) {
      return Status::Format("unknown variant `" + std::string(type_name) +
                            "`, expected one of `keyword`, `integer`, `float`, `geo`, `text`, "
                            "`bool`, `datetime`, `uuid` at `field_schema`");
    }
    req.params.type = std::string(type_name);
    return req;
  }
  auto so = AsObject(schema, "field_schema");
  if (!so.ok()) return so.status();
  Json t;
  if (so.value()["type"].get(t)) return MissingField("type", "field_schema");
  auto type = AsString(t, "field_schema.type");
  if (!type.ok()) return type.status();
  if (!kTypes.count(type.value())) {
    return Status::Format(
        "data did not match any variant of untagged enum PayloadFieldSchema at "
        "`field_schema`");
  }
  req.params.type = type.value();
  if (!ValidIndexParams(so.value(), req.params.type)) {
    return Status::Format(
        "data did not match any variant of untagged enum PayloadFieldSchema at "
        "`field_schema`");
  }
  req.params.params_encoded = simdjson::minify(schema);
  req.params.schema = ToValue(schema);
  return req;
}

}  // namespace quiver::wire
