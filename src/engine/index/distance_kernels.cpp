// Highway compiles the HWY_NAMESPACE part of this file once per SIMD target (foreach_target.h
// re-includes it); the HWY_ONCE part dispatches to the best target the CPU supports.
#include "engine/index/distance_kernels.h"

#include <cmath>
#include <cstdint>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/index/distance_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace quiver::engine {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

enum class Kind { kDot, kSquaredL2, kL1 };

template <Kind K>
HWY_INLINE float ScalarTerm(float a, float b) {
  if constexpr (K == Kind::kDot) {
    return a * b;
  } else if constexpr (K == Kind::kSquaredL2) {
    return (a - b) * (a - b);
  } else {
    return std::fabs(a - b);
  }
}

template <Kind K, class D, class V>
HWY_INLINE V Accumulate(D d, const float* HWY_RESTRICT a, const float* HWY_RESTRICT b, V acc) {
  const V va = hn::LoadU(d, a);
  const V vb = hn::LoadU(d, b);
  if constexpr (K == Kind::kDot) {
    return hn::MulAdd(va, vb, acc);
  } else if constexpr (K == Kind::kSquaredL2) {
    const V diff = hn::Sub(va, vb);
    return hn::MulAdd(diff, diff, acc);
  } else {
    return hn::Add(hn::Abs(hn::Sub(va, vb)), acc);
  }
}

// Four independent accumulators hide the FMA latency; the tail shorter than one vector is summed
// in scalar code, so no load ever reads past `n`.
template <Kind K>
HWY_INLINE float Reduce(const float* HWY_RESTRICT a, const float* HWY_RESTRICT b, size_t n) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  auto s0 = hn::Zero(d);
  auto s1 = hn::Zero(d);
  auto s2 = hn::Zero(d);
  auto s3 = hn::Zero(d);
  size_t i = 0;
  for (; i + 4 * lanes <= n; i += 4 * lanes) {
    s0 = Accumulate<K>(d, a + i, b + i, s0);
    s1 = Accumulate<K>(d, a + i + lanes, b + i + lanes, s1);
    s2 = Accumulate<K>(d, a + i + 2 * lanes, b + i + 2 * lanes, s2);
    s3 = Accumulate<K>(d, a + i + 3 * lanes, b + i + 3 * lanes, s3);
  }
  for (; i + lanes <= n; i += lanes) s0 = Accumulate<K>(d, a + i, b + i, s0);
  s0 = hn::Add(hn::Add(s0, s1), hn::Add(s2, s3));
  float sum = hn::GetLane(hn::SumOfLanes(d, s0));
  for (; i < n; ++i) sum += ScalarTerm<K>(a[i], b[i]);
  return sum;
}

float DotImpl(const float* a, const float* b, size_t n) { return Reduce<Kind::kDot>(a, b, n); }

float SquaredL2Impl(const float* a, const float* b, size_t n) {
  return Reduce<Kind::kSquaredL2>(a, b, n);
}

float L1Impl(const float* a, const float* b, size_t n) { return Reduce<Kind::kL1>(a, b, n); }

template <Kind K>
HWY_INLINE void ReduceRows(const float* query, const float* data, size_t rows, size_t dim,
                           float* out, bool take_sqrt) {
  for (size_t r = 0; r < rows; ++r) {
    float v = Reduce<K>(query, data + r * dim, dim);
    out[r] = take_sqrt ? std::sqrt(v) : v;
  }
}

void ScoreManyImpl(Distance distance, const float* query, const float* data, size_t rows,
                   size_t dim, float* out) {
  switch (distance) {
    case Distance::kCosine:
    case Distance::kDot:
      return ReduceRows<Kind::kDot>(query, data, rows, dim, out, false);
    case Distance::kEuclid:
      return ReduceRows<Kind::kSquaredL2>(query, data, rows, dim, out, true);
    case Distance::kManhattan:
      return ReduceRows<Kind::kL1>(query, data, rows, dim, out, false);
  }
}

void NormalizeImpl(float* HWY_RESTRICT v, size_t n) {
  const float squared = Reduce<Kind::kDot>(v, v, n);
  if (!(squared > 0.0f) || !std::isfinite(squared)) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(static_cast<double>(squared)));
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  const auto factor = hn::Set(d, inv);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(hn::Mul(hn::LoadU(d, v + i), factor), d, v + i);
  for (; i < n; ++i) v[i] *= inv;
}

int64_t TargetImpl() { return HWY_TARGET; }

}  // namespace HWY_NAMESPACE
}  // namespace quiver::engine
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace quiver::engine {

HWY_EXPORT(DotImpl);
HWY_EXPORT(SquaredL2Impl);
HWY_EXPORT(L1Impl);
HWY_EXPORT(ScoreManyImpl);
HWY_EXPORT(NormalizeImpl);
HWY_EXPORT(TargetImpl);

float DotProduct(const float* a, const float* b, size_t n) {
  return HWY_DYNAMIC_DISPATCH(DotImpl)(a, b, n);
}

float SquaredL2(const float* a, const float* b, size_t n) {
  return HWY_DYNAMIC_DISPATCH(SquaredL2Impl)(a, b, n);
}

float L1Distance(const float* a, const float* b, size_t n) {
  return HWY_DYNAMIC_DISPATCH(L1Impl)(a, b, n);
}

float Score(Distance d, const float* a, const float* b, size_t n) {
  switch (d) {
    case Distance::kCosine:
    case Distance::kDot:
      return DotProduct(a, b, n);
    case Distance::kEuclid:
      return std::sqrt(SquaredL2(a, b, n));
    case Distance::kManhattan:
      return L1Distance(a, b, n);
  }
  return 0.0f;
}

void ScoreMany(Distance d, const float* query, const float* data, size_t rows, size_t dim,
               float* out) {
  HWY_DYNAMIC_DISPATCH(ScoreManyImpl)(d, query, data, rows, dim, out);
}

void Normalize(float* v, size_t n) { HWY_DYNAMIC_DISPATCH(NormalizeImpl)(v, n); }

const char* SimdTargetName() { return hwy::TargetName(HWY_DYNAMIC_DISPATCH(TargetImpl)()); }

}  // namespace quiver::engine
#endif  // HWY_ONCE
