// Collection configuration as engine types, with Qdrant's defaults. Persisted in the collection's
// meta file (collection_store.cpp); parsed from and rendered to JSON by wire/.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/byte_io.h"
#include "base/status.h"
#include "engine/types/distance.h"
#include "engine/types/value.h"

namespace quiver::engine {

struct HnswConfig {
  uint64_t m = 16;
  uint64_t ef_construct = 100;
  uint64_t full_scan_threshold = 10000;  // KB
  uint64_t max_indexing_threads = 0;
  std::optional<bool> on_disk = false;
  std::optional<uint64_t> payload_m;
  std::optional<bool> inline_storage;
};

// Per-vector overrides: every field optional.
struct HnswConfigDiff {
  std::optional<uint64_t> m, ef_construct, full_scan_threshold, max_indexing_threads, payload_m;
  std::optional<bool> on_disk, inline_storage;
};

struct QuantizationConfig {
  enum class Kind { kScalar, kProduct, kBinary };
  Kind kind = Kind::kScalar;
  std::string type = "int8";       // scalar: "int8"
  std::optional<double> quantile;  // scalar
  std::string compression;         // product: x4 x8 x16 x32 x64
  std::string encoding;            // binary: one_bit, two_bits, one_and_half_bits ("" = unset)
  std::string query_encoding;      // binary: default, binary, scalar4bits, scalar8bits
  std::optional<bool> always_ram;
};

struct VectorParams {
  uint64_t size = 0;
  Distance distance = Distance::kCosine;
  std::optional<HnswConfigDiff> hnsw_config;
  std::optional<QuantizationConfig> quantization_config;
  std::optional<bool> on_disk;
  std::string datatype;      // "" (unset), "float32", "uint8", "float16"
  bool multivector = false;  // multivector_config {comparator: max_sim}
};

struct OptimizersConfig {
  double deleted_threshold = 0.2;
  uint64_t vacuum_min_vector_number = 1000;
  uint64_t default_segment_number = 0;
  std::optional<uint64_t> max_segment_size;
  std::optional<uint64_t> memmap_threshold;
  std::optional<uint64_t> indexing_threshold = 10000;  // KB
  uint64_t flush_interval_sec = 5;
  std::optional<uint64_t> max_optimization_threads;
  std::optional<bool> prevent_unoptimized;
};

struct WalConfig {
  uint64_t wal_capacity_mb = 32;
  uint64_t wal_segments_ahead = 0;
  uint64_t wal_retain_closed = 1;
};

struct CollectionConfig {
  // Named vectors; a single unnamed vector is stored under "" with `single_vector` set.
  std::map<std::string, VectorParams> vectors;
  bool single_vector = true;
  uint64_t shard_number = 1;
  uint64_t replication_factor = 1;
  uint64_t write_consistency_factor = 1;
  bool on_disk_payload = true;
  HnswConfig hnsw_config;
  OptimizersConfig optimizer_config;
  WalConfig wal_config;
  std::optional<QuantizationConfig> quantization_config;
  // Arbitrary JSON object kept for the application (PATCH merges keys; null removes one).
  std::optional<Value> metadata;
};

// Payload index definition (PUT /collections/{c}/index).
struct PayloadIndexParams {
  std::string type;  // keyword, integer, float, bool, geo, text, datetime, uuid
  // The parameter object exactly as given (kept for reporting), as minified JSON text; empty when
  // the schema was given as a bare type name.
  std::string params_encoded;
  // The same object as a Value for the engine (null for a bare type name): e.g. a text index's
  // tokenizer settings.
  Value schema;
};

// Binary encoding for the meta file. Decode returns Corruption on malformed input.
void EncodeConfig(const CollectionConfig& c, base::ByteWriter& w);
base::Result<CollectionConfig> DecodeConfig(base::ByteReader& r);

}  // namespace quiver::engine
