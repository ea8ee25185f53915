#include "engine/index/scalar_quantizer.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "base/huge_pages.h"
#include "engine/index/quantized_kernels.h"

namespace quiver::engine {

namespace {

constexpr uint32_t kBlockRows = 1024;

// Calls fn(row, v) for every present row, reading blocks of rows; false on a read error.
template <typename Fn>
bool ForEachRow(const ScalarQuantized::RowReader& rows, const uint8_t* present, uint32_t n,
                uint32_t dim, Fn fn) {
  std::vector<float> buf(size_t(kBlockRows) * dim);
  for (uint32_t start = 0; start < n; start += kBlockRows) {
    const uint32_t count = std::min(kBlockRows, n - start);
    const float* block = rows(start, count, buf.data());
    if (!block) return false;
    for (uint32_t i = 0; i < count; ++i) {
      if (!present || present[start + i]) fn(start + i, block + size_t(i) * dim);
    }
  }
  return true;
}

}  // namespace

std::unique_ptr<ScalarQuantized> ScalarQuantized::Build(const RowReader& rows,
                                                        const uint8_t* present, uint32_t n,
                                                        uint32_t dim, Distance distance,
                                                        std::optional<double> quantile) {
  std::unique_ptr<ScalarQuantized> q(new ScalarQuantized());
  q->n_ = n;
  q->dim_ = dim;
  q->distance_ = distance;
  q->quantile_ = quantile;
  // The range from a sample of at most ~1M values (whole rows, evenly spread), deterministic.
  std::vector<float> sample, row(dim);
  const uint32_t rows_wanted = std::max<uint32_t>(1, (1u << 20) / std::max<uint32_t>(dim, 1));
  const uint32_t stride = std::max<uint32_t>(1, n / rows_wanted);
  for (uint32_t i = 0; i < n; i += stride) {
    if (present && !present[i]) continue;
    const float* v = rows(i, 1, row.data());
    if (!v) return nullptr;
    sample.insert(sample.end(), v, v + dim);
  }
  float lo = 0, hi = 0;
  if (!sample.empty()) {
    double keep = quantile ? std::clamp(*quantile, 0.5, 1.0) : 1.0;
    size_t last = sample.size() - 1;
    size_t lo_at = static_cast<size_t>(std::floor((1.0 - keep) / 2.0 * double(last)));
    size_t hi_at = static_cast<size_t>(std::ceil((1.0 + keep) / 2.0 * double(last)));
    hi_at = std::min(hi_at, last);
    std::nth_element(sample.begin(), sample.begin() + lo_at, sample.end());
    lo = sample[lo_at];
    std::nth_element(sample.begin(), sample.begin() + hi_at, sample.end());
    hi = sample[hi_at];
  }
  q->lo_ = lo;
  q->step_ = hi > lo ? (hi - lo) / 255.0f : 1.0f;
  q->codes_.assign(size_t(n) * dim, 0);
  ScalarQuantized* raw = q.get();
  if (!ForEachRow(rows, present, n, dim, [raw, dim](uint32_t i, const float* v) {
        raw->Encode(v, raw->codes_.data() + size_t(i) * dim);
      })) {
    return nullptr;
  }
  base::UseHugePages(q->codes_.data(), q->codes_.size());
  return q;
}

std::unique_ptr<ScalarQuantized> ScalarQuantized::BuildBinary(const RowReader& rows,
                                                              const uint8_t* present, uint32_t n,
                                                              uint32_t dim, Distance distance) {
  std::unique_ptr<ScalarQuantized> q(new ScalarQuantized());
  q->n_ = n;
  q->dim_ = dim;
  q->distance_ = distance;
  q->binary_ = true;
  q->words_ = (dim + 63) / 64;
  q->bits_.assign(size_t(n) * q->words_, 0);
  ScalarQuantized* raw = q.get();
  if (!ForEachRow(rows, present, n, dim, [raw, dim](uint32_t i, const float* v) {
        uint64_t* out = raw->bits_.data() + size_t(i) * raw->words_;
        for (uint32_t d = 0; d < dim; ++d) {
          if (v[d] > 0) out[d / 64] |= uint64_t(1) << (d % 64);
        }
      })) {
    return nullptr;
  }
  return q;
}

void ScalarQuantized::Encode(const float* v, uint8_t* out) const {
  const float inv = 1.0f / step_;
  for (uint32_t d = 0; d < dim_; ++d) {
    float c = std::nearbyint((v[d] - lo_) * inv);
    out[d] = static_cast<uint8_t>(std::clamp(c, 0.0f, 255.0f));
  }
}

ScalarQuantized::Query ScalarQuantized::Prepare(const float* query) const {
  Query q;
  if (binary_) {
    q.bits.assign(words_, 0);
    for (uint32_t d = 0; d < dim_; ++d) {
      if (query[d] > 0) q.bits[d / 64] |= uint64_t(1) << (d % 64);
    }
    return q;
  }
  q.values.assign(query, query + dim_);
  for (float x : q.values) q.sum += x;
  if (distance_ == Distance::kEuclid || distance_ == Distance::kManhattan) {
    const float inv = 1.0f / step_;
    for (float& x : q.values) x = (x - lo_) * inv;
  }
  return q;
}

uint32_t ScalarQuantized::Hamming(const Query& q, uint32_t row) const {
  const uint64_t* bits = bits_.data() + size_t(row) * words_;
  uint32_t h = 0;
  for (uint32_t w = 0; w < words_; ++w)
    h += static_cast<uint32_t>(std::popcount(q.bits[w] ^ bits[w]));
  return h;
}

float ScalarQuantized::Score(const Query& q, uint32_t row) const {
  if (binary_) {
    // The share of agreeing signs as a cosine-like score (higher is better) for Cosine/Dot, the
    // number of differing signs for Euclid/Manhattan (lower is better).
    float h = float(Hamming(q, row));
    if (distance_ == Distance::kCosine || distance_ == Distance::kDot) {
      return 1.0f - 2.0f * h / float(std::max<uint32_t>(dim_, 1));
    }
    return h;
  }
  const uint8_t* codes = Codes(row);
  switch (distance_) {
    case Distance::kCosine:
    case Distance::kDot:
      // x ≈ lo + step·c: Σ q·x ≈ lo·Σq + step·Σ q·c.
      return lo_ * q.sum + step_ * DotF32U8(q.values.data(), codes, dim_);
    case Distance::kEuclid:
      return step_ * std::sqrt(std::max(0.0f, SquaredL2F32U8(q.values.data(), codes, dim_)));
    case Distance::kManhattan:
      return step_ * L1F32U8(q.values.data(), codes, dim_);
  }
  return 0;
}

float ScalarQuantized::Dist(const Query& q, uint32_t row) const {
  if (binary_) return float(Hamming(q, row));
  switch (distance_) {
    case Distance::kCosine:
    case Distance::kDot:
      return -Score(q, row);
    case Distance::kEuclid:
      return step_ * step_ * SquaredL2F32U8(q.values.data(), Codes(row), dim_);
    case Distance::kManhattan:
      return Score(q, row);
  }
  return 0;
}

}  // namespace quiver::engine
