// Rendering of collection info, config and alias lists.
#include "wire/collections_wire.h"
#include "wire/json_out.h"

namespace quiver::wire {
namespace {

template <typename T>
void OptU(JsonOut& o, const char* key, const std::optional<T>& v) {
  if (v) o.Key(key).Uint(*v);
}
void OptB(JsonOut& o, const char* key, const std::optional<bool>& v) {
  if (v) o.Key(key).Bool(*v);
}

void RenderQuantization(JsonOut& o, const engine::QuantizationConfig& q) {
  o.BeginObject();
  switch (q.kind) {
    case engine::QuantizationConfig::Kind::kScalar:
      o.Key("scalar").BeginObject().Key("type").String(q.type);
      if (q.quantile) o.Key("quantile").Double(*q.quantile);
      break;
    case engine::QuantizationConfig::Kind::kProduct:
      o.Key("product").BeginObject().Key("compression").String(q.compression);
      break;
    case engine::QuantizationConfig::Kind::kBinary:
      o.Key("binary").BeginObject();
      if (!q.encoding.empty()) o.Key("encoding").String(q.encoding);
      if (!q.query_encoding.empty()) o.Key("query_encoding").String(q.query_encoding);
      break;
  }
  OptB(o, "always_ram", q.always_ram);
  o.EndObject().EndObject();
}

void RenderVectorParams(JsonOut& o, const engine::VectorParams& p) {
  o.BeginObject();
  o.Key("size").Uint(p.size);
  o.Key("distance").String(engine::DistanceName(p.distance));
  if (p.hnsw_config) {
    const auto& h = *p.hnsw_config;
    o.Key("hnsw_config").BeginObject();
    OptU(o, "m", h.m);
    OptU(o, "ef_construct", h.ef_construct);
    OptU(o, "full_scan_threshold", h.full_scan_threshold);
    OptU(o, "max_indexing_threads", h.max_indexing_threads);
    OptB(o, "on_disk", h.on_disk);
    OptU(o, "payload_m", h.payload_m);
    OptB(o, "inline_storage", h.inline_storage);
    o.EndObject();
  }
  if (p.quantization_config) {
    o.Key("quantization_config");
    RenderQuantization(o, *p.quantization_config);
  }
  OptB(o, "on_disk", p.on_disk);
  if (!p.datatype.empty()) o.Key("datatype").String(p.datatype);
  if (p.multivector)
    o.Key("multivector_config").BeginObject().Key("comparator").String("max_sim").EndObject();
  o.EndObject();
}

void RenderConfig(JsonOut& o, const engine::CollectionConfig& c) {
  o.BeginObject();
  o.Key("params").BeginObject();
  o.Key("vectors");
  if (c.single_vector && c.vectors.size() == 1 && c.vectors.count("")) {
    RenderVectorParams(o, c.vectors.at(""));
  } else {
    o.BeginObject();
    for (const auto& [name, p] : c.vectors) {
      o.Key(name);
      RenderVectorParams(o, p);
    }
    o.EndObject();
  }
  o.Key("shard_number").Uint(c.shard_number);
  o.Key("replication_factor").Uint(c.replication_factor);
  o.Key("write_consistency_factor").Uint(c.write_consistency_factor);
  o.Key("on_disk_payload").Bool(c.on_disk_payload);
  o.EndObject();
  const auto& h = c.hnsw_config;
  o.Key("hnsw_config").BeginObject();
  o.Key("m").Uint(h.m).Key("ef_construct").Uint(h.ef_construct);
  o.Key("full_scan_threshold").Uint(h.full_scan_threshold);
  o.Key("max_indexing_threads").Uint(h.max_indexing_threads);
  OptB(o, "on_disk", h.on_disk);
  OptU(o, "payload_m", h.payload_m);
  OptB(o, "inline_storage", h.inline_storage);
  o.EndObject();
  const auto& oc = c.optimizer_config;
  o.Key("optimizer_config").BeginObject();
  o.Key("deleted_threshold").Double(oc.deleted_threshold);
  o.Key("vacuum_min_vector_number").Uint(oc.vacuum_min_vector_number);
  o.Key("default_segment_number").Uint(oc.default_segment_number);
  o.Key("max_segment_size");
  oc.max_segment_size ? o.Uint(*oc.max_segment_size) : o.Null();
  o.Key("memmap_threshold");
  oc.memmap_threshold ? o.Uint(*oc.memmap_threshold) : o.Null();
  o.Key("indexing_threshold");
  oc.indexing_threshold ? o.Uint(*oc.indexing_threshold) : o.Null();
  o.Key("flush_interval_sec").Uint(oc.flush_interval_sec);
  o.Key("max_optimization_threads");
  oc.max_optimization_threads ? o.Uint(*oc.max_optimization_threads) : o.Null();
  OptB(o, "prevent_unoptimized", oc.prevent_unoptimized);
  o.EndObject();
  o.Key("wal_config").BeginObject();
  o.Key("wal_capacity_mb").Uint(c.wal_config.wal_capacity_mb);
  o.Key("wal_segments_ahead").Uint(c.wal_config.wal_segments_ahead);
  o.Key("wal_retain_closed").Uint(std::max<uint64_t>(c.wal_config.wal_retain_closed, 1));
  o.EndObject();
  o.Key("quantization_config");
  if (c.quantization_config) {
    RenderQuantization(o, *c.quantization_config);
  } else {
    o.Null();
  }
  if (c.metadata) o.Key("metadata").Val(*c.metadata);
  o.EndObject();
}

}  // namespace

std::string RenderCollectionConfig(const engine::CollectionConfig& config) {
  JsonOut o;
  RenderConfig(o, config);
  return o.Take();
}

std::string RenderCollectionInfo(const engine::CollectionInfo& info, std::string_view status) {
  JsonOut o;
  o.BeginObject();
  o.Key("status").String(status);
  if (info.optimizer_error.empty()) {
    o.Key("optimizer_status").String("ok");
  } else {
    o.Key("optimizer_status").BeginObject().Key("error").String(info.optimizer_error).EndObject();
  }
  o.Key("indexed_vectors_count").Uint(info.indexed_vectors_count);
  o.Key("points_count").Uint(info.points_count);
  o.Key("segments_count").Uint(info.segments_count);
  o.Key("config");
  RenderConfig(o, info.config);
  o.Key("payload_schema").BeginObject();
  for (const auto& [field, fi] : info.payload_schema) {
    o.Key(field).BeginObject();
    o.Key("data_type").String(fi.params.type);
    if (!fi.params.params_encoded.empty()) o.Key("params").Raw(fi.params.params_encoded);
    o.Key("points").Uint(fi.points);
    o.EndObject();
  }
  o.EndObject();
  o.EndObject();
  return o.Take();
}

std::string RenderCollectionsList(const std::vector<std::string>& names) {
  JsonOut o;
  o.BeginObject().Key("collections").BeginArray();
  for (const auto& n : names) o.BeginObject().Key("name").String(n).EndObject();
  o.EndArray().EndObject();
  return o.Take();
}

std::string RenderAliases(const std::vector<std::pair<std::string, std::string>>& aliases) {
  JsonOut o;
  o.BeginObject().Key("aliases").BeginArray();
  for (const auto& [alias, target] : aliases) {
    o.BeginObject()
        .Key("alias_name")
        .String(alias)
        .Key("collection_name")
        .String(target)
        .EndObject();
  }
  o.EndArray().EndObject();
  return o.Take();
}

}  // namespace quiver::wire
