#include "engine/collection/collection_config.h"

#include "engine/types/value.h"
#include "engine/types/value_codec.h"

namespace quiver::engine {
namespace {

// The meta file stores the configuration as a Value tree (named fields), so that fields can be
// added later without a format change.
template <typename T>
void PutOpt(Value& o, const char* key, const std::optional<T>& v) {
  if (!v) return;
  if constexpr (std::is_same_v<T, bool>) {
    o.Set(key, Value(*v));
  } else if constexpr (std::is_same_v<T, double>) {
    o.Set(key, Value(*v));
  } else {
    o.Set(key, Value(static_cast<int64_t>(*v)));
  }
}

std::optional<uint64_t> GetU(const Value& o, const char* key) {
  const Value* v = o.Find(key);
  if (!v || !v->is_int()) return std::nullopt;
  return static_cast<uint64_t>(v->as_int());
}
std::optional<bool> GetB(const Value& o, const char* key) {
  const Value* v = o.Find(key);
  if (!v || !v->is_bool()) return std::nullopt;
  return v->as_bool();
}
std::optional<double> GetD(const Value& o, const char* key) {
  const Value* v = o.Find(key);
  if (!v || !v->is_number()) return std::nullopt;
  return v->as_double();
}
std::string GetS(const Value& o, const char* key) {
  const Value* v = o.Find(key);
  return v && v->is_string() ? v->as_string() : std::string();
}

Value HnswDiffToValue(const HnswConfigDiff& h) {
  Value o{Object{}};
  PutOpt(o, "m", h.m);
  PutOpt(o, "ef_construct", h.ef_construct);
  PutOpt(o, "full_scan_threshold", h.full_scan_threshold);
  PutOpt(o, "max_indexing_threads", h.max_indexing_threads);
  PutOpt(o, "payload_m", h.payload_m);
  PutOpt(o, "on_disk", h.on_disk);
  PutOpt(o, "inline_storage", h.inline_storage);
  return o;
}
HnswConfigDiff HnswDiffFromValue(const Value& o) {
  HnswConfigDiff h;
  h.m = GetU(o, "m");
  h.ef_construct = GetU(o, "ef_construct");
  h.full_scan_threshold = GetU(o, "full_scan_threshold");
  h.max_indexing_threads = GetU(o, "max_indexing_threads");
  h.payload_m = GetU(o, "payload_m");
  h.on_disk = GetB(o, "on_disk");
  h.inline_storage = GetB(o, "inline_storage");
  return h;
}

Value QuantToValue(const QuantizationConfig& q) {
  Value o{Object{}};
  o.Set("kind", Value(static_cast<int64_t>(q.kind)));
  o.Set("type", Value(q.type));
  PutOpt(o, "quantile", q.quantile);
  o.Set("compression", Value(q.compression));
  o.Set("encoding", Value(q.encoding));
  o.Set("query_encoding", Value(q.query_encoding));
  PutOpt(o, "always_ram", q.always_ram);
  return o;
}
QuantizationConfig QuantFromValue(const Value& o) {
  QuantizationConfig q;
  q.kind = static_cast<QuantizationConfig::Kind>(GetU(o, "kind").value_or(0) % 3);
  q.type = GetS(o, "type");
  q.quantile = GetD(o, "quantile");
  q.compression = GetS(o, "compression");
  q.encoding = GetS(o, "encoding");
  q.query_encoding = GetS(o, "query_encoding");
  q.always_ram = GetB(o, "always_ram");
  return q;
}

}  // namespace

void EncodeConfig(const CollectionConfig& c, base::ByteWriter& w) {
  Value root{Object{}};
  Value vectors{Object{}};
  for (const auto& [name, p] : c.vectors) {
    Value v{Object{}};
    v.Set("size", Value(static_cast<int64_t>(p.size)));
    v.Set("distance", Value(std::string(DistanceName(p.distance))));
    if (p.hnsw_config) v.Set("hnsw_config", HnswDiffToValue(*p.hnsw_config));
    if (p.quantization_config) v.Set("quantization_config", QuantToValue(*p.quantization_config));
    PutOpt(v, "on_disk", p.on_disk);
    v.Set("datatype", Value(p.datatype));
    v.Set("multivector", Value(p.multivector));
    vectors.Set(name, std::move(v));
  }
  root.Set("vectors", std::move(vectors));
  root.Set("single_vector", Value(c.single_vector));
  root.Set("shard_number", Value(static_cast<int64_t>(c.shard_number)));
  root.Set("replication_factor", Value(static_cast<int64_t>(c.replication_factor)));
  root.Set("write_consistency_factor", Value(static_cast<int64_t>(c.write_consistency_factor)));
  root.Set("on_disk_payload", Value(c.on_disk_payload));
  Value h{Object{}};
  h.Set("m", Value(static_cast<int64_t>(c.hnsw_config.m)));
  h.Set("ef_construct", Value(static_cast<int64_t>(c.hnsw_config.ef_construct)));
  h.Set("full_scan_threshold", Value(static_cast<int64_t>(c.hnsw_config.full_scan_threshold)));
  h.Set("max_indexing_threads", Value(static_cast<int64_t>(c.hnsw_config.max_indexing_threads)));
  PutOpt(h, "on_disk", c.hnsw_config.on_disk);
  PutOpt(h, "payload_m", c.hnsw_config.payload_m);
  PutOpt(h, "inline_storage", c.hnsw_config.inline_storage);
  root.Set("hnsw_config", std::move(h));
  const auto& oc = c.optimizer_config;
  Value o{Object{}};
  o.Set("deleted_threshold", Value(oc.deleted_threshold));
  o.Set("vacuum_min_vector_number", Value(static_cast<int64_t>(oc.vacuum_min_vector_number)));
  o.Set("default_segment_number", Value(static_cast<int64_t>(oc.default_segment_number)));
  PutOpt(o, "max_segment_size", oc.max_segment_size);
  PutOpt(o, "memmap_threshold", oc.memmap_threshold);
  PutOpt(o, "indexing_threshold", oc.indexing_threshold);
  o.Set("flush_interval_sec", Value(static_cast<int64_t>(oc.flush_interval_sec)));
  PutOpt(o, "max_optimization_threads", oc.max_optimization_threads);
  PutOpt(o, "prevent_unoptimized", oc.prevent_unoptimized);
  root.Set("optimizer_config", std::move(o));
  Value wal{Object{}};
  wal.Set("wal_capacity_mb", Value(static_cast<int64_t>(c.wal_config.wal_capacity_mb)));
  wal.Set("wal_segments_ahead", Value(static_cast<int64_t>(c.wal_config.wal_segments_ahead)));
  wal.Set("wal_retain_closed", Value(static_cast<int64_t>(c.wal_config.wal_retain_closed)));
  root.Set("wal_config", std::move(wal));
  if (c.quantization_config) root.Set("quantization_config", QuantToValue(*c.quantization_config));
  if (c.metadata) root.Set("metadata", *c.metadata);
  EncodeValue(root, w);
}

base::Result<CollectionConfig> DecodeConfig(base::ByteReader& r) {
  Value root = DecodeValue(r);
  if (!r.ok() || !root.is_object()) return base::Status::Corruption("malformed collection config");
  CollectionConfig c;
  const Value* vectors = root.Find("vectors");
  if (!vectors || !vectors->is_object()) return base::Status::Corruption("config has no vectors");
  for (const auto& [name, v] : vectors->as_object()) {
    VectorParams p;
    p.size = GetU(v, "size").value_or(0);
    auto d = ParseDistance(GetS(v, "distance"));
    if (!d || p.size == 0) return base::Status::Corruption("bad vector params for `" + name + "`");
    p.distance = *d;
    if (const Value* h = v.Find("hnsw_config")) p.hnsw_config = HnswDiffFromValue(*h);
    if (const Value* q = v.Find("quantization_config")) p.quantization_config = QuantFromValue(*q);
    p.on_disk = GetB(v, "on_disk");
    p.datatype = GetS(v, "datatype");
    p.multivector = GetB(v, "multivector").value_or(false);
    c.vectors[name] = p;
  }
  c.single_vector = GetB(root, "single_vector").value_or(true);
  c.shard_number = GetU(root, "shard_number").value_or(1);
  c.replication_factor = GetU(root, "replication_factor").value_or(1);
  c.write_consistency_factor = GetU(root, "write_consistency_factor").value_or(1);
  c.on_disk_payload = GetB(root, "on_disk_payload").value_or(true);
  if (const Value* h = root.Find("hnsw_config")) {
    c.hnsw_config.m = GetU(*h, "m").value_or(16);
    c.hnsw_config.ef_construct = GetU(*h, "ef_construct").value_or(100);
    c.hnsw_config.full_scan_threshold = GetU(*h, "full_scan_threshold").value_or(10000);
    c.hnsw_config.max_indexing_threads = GetU(*h, "max_indexing_threads").value_or(0);
    c.hnsw_config.on_disk = GetB(*h, "on_disk");
    c.hnsw_config.payload_m = GetU(*h, "payload_m");
    c.hnsw_config.inline_storage = GetB(*h, "inline_storage");
  }
  if (const Value* o = root.Find("optimizer_config")) {
    auto& oc = c.optimizer_config;
    oc.deleted_threshold = GetD(*o, "deleted_threshold").value_or(0.2);
    oc.vacuum_min_vector_number = GetU(*o, "vacuum_min_vector_number").value_or(1000);
    oc.default_segment_number = GetU(*o, "default_segment_number").value_or(0);
    oc.max_segment_size = GetU(*o, "max_segment_size");
    oc.memmap_threshold = GetU(*o, "memmap_threshold");
    oc.indexing_threshold = GetU(*o, "indexing_threshold");
    oc.flush_interval_sec = GetU(*o, "flush_interval_sec").value_or(5);
    oc.max_optimization_threads = GetU(*o, "max_optimization_threads");
    oc.prevent_unoptimized = GetB(*o, "prevent_unoptimized");
  }
  if (const Value* w = root.Find("wal_config")) {
    c.wal_config.wal_capacity_mb = GetU(*w, "wal_capacity_mb").value_or(32);
    c.wal_config.wal_segments_ahead = GetU(*w, "wal_segments_ahead").value_or(0);
    c.wal_config.wal_retain_closed = GetU(*w, "wal_retain_closed").value_or(1);
  }
  if (const Value* q = root.Find("quantization_config")) c.quantization_config = QuantFromValue(*q);
  if (const Value* m = root.Find("metadata"); m && m->is_object()) c.metadata = *m;
  return c;
}

}  // namespace quiver::engine
