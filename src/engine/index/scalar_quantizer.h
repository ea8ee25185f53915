// Scalar int8 quantization of one vector column (Qdrant's `quantization_config.scalar`): every
// value is mapped to a uint8 code over one range [lo, lo + 255·step] trained on the data (the
// central `quantile` share of values when set, else min..max). Distances between a float query and
// a row come from SIMD kernels over the codes: 4x less memory to scan than float32, approximate
// scores that search then rescores with the original vectors.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "engine/types/distance.h"

namespace quiver::engine {

// Also binary quantization (Qdrant's `quantization_config.binary`, one bit per value: x > 0), with
// the same interface: Build(..., binary = true) packs the signs into 64-bit words and distances
// are Hamming distances of the sign bits (popcount). Only its candidate order matters: searches
// rescore with the original vectors.
class ScalarQuantized {
 public:
  // Rows [start, start + count) of a column: a pointer to them in memory, or `buf` (count × dim
  // floats) filled from a vector file; nullptr on a read error. Blocks read this way keep a
  // column on disk out of the process's RSS while it is encoded.
  using RowReader = std::function<const float*(uint32_t start, uint32_t count, float* buf)>;

  static std::unique_ptr<ScalarQuantized> BuildBinary(const RowReader& rows, const uint8_t* present,
                                                      uint32_t n, uint32_t dim, Distance distance);
  static std::unique_ptr<ScalarQuantized> BuildBinary(const float* data, const uint8_t* present,
                                                      uint32_t n, uint32_t dim, Distance distance) {
    return BuildBinary(InMemory(data, dim), present, n, dim, distance);
  }
  bool binary() const { return binary_; }
  // Encodes rows [0, n) (absent rows, present[i] == 0, get zero codes); nullptr when a row cannot
  // be read.
  static std::unique_ptr<ScalarQuantized> Build(const RowReader& rows, const uint8_t* present,
                                                uint32_t n, uint32_t dim, Distance distance,
                                                std::optional<double> quantile);
  static std::unique_ptr<ScalarQuantized> Build(const float* data, const uint8_t* present,
                                                uint32_t n, uint32_t dim, Distance distance,
                                                std::optional<double> quantile) {
    return Build(InMemory(data, dim), present, n, dim, distance, quantile);
  }

  // The query stays in float (only the stored side is quantized): for Cosine/Dot the query
  // itself and its sum, for Euclid/Manhattan the query mapped to code units, (q − lo) / step.
  struct Query {
    std::vector<float> values;
    float sum = 0;
    std::vector<uint64_t> bits;  // binary: the query's sign bits
  };
  Query Prepare(const float* query) const;
  // Internal distance as HnswIndex's: lower is closer (-dot for Cosine/Dot, squared L2, L1).
  float Dist(const Query& q, uint32_t row) const;
  // The approximate Qdrant score (dot product, L2 or L1 distance).
  float Score(const Query& q, uint32_t row) const;

  uint32_t size() const { return n_; }
  uint32_t dim() const { return dim_; }
  std::optional<double> quantile() const { return quantile_; }
  float lo() const { return lo_; }
  float step() const { return step_; }
  const uint8_t* Codes(uint32_t row) const { return codes_.data() + size_t(row) * dim_; }
  size_t memory_bytes() const { return codes_.size() + bits_.size() * sizeof(uint64_t); }

 private:
  ScalarQuantized() = default;
  static RowReader InMemory(const float* data, uint32_t dim) {
    return [data, dim](uint32_t start, uint32_t, float*) { return data + size_t(start) * dim; };
  }
  void Encode(const float* v, uint8_t* out) const;
  uint32_t Hamming(const Query& q, uint32_t row) const;

  uint32_t n_ = 0, dim_ = 0;
  Distance distance_ = Distance::kCosine;
  std::optional<double> quantile_;
  float lo_ = 0, step_ = 1;
  std::vector<uint8_t> codes_;  // n × dim
  bool binary_ = false;
  uint32_t words_ = 0;          // binary: 64-bit words per row
  std::vector<uint64_t> bits_;  // binary: n × words_
};

}  // namespace quiver::engine
