// SIMD kernels over uint8 codes (scalar quantization), Highway with runtime dispatch like
// distance_kernels.cpp: codes are widened to int32 lanes, so sums are exact integers.
#include "engine/index/quantized_kernels.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/index/quantized_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace quiver::engine {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

enum class Kind { kDot, kSquaredL2, kL1 };

template <Kind K>
HWY_INLINE uint32_t ReduceU8(const uint8_t* HWY_RESTRICT a, const uint8_t* HWY_RESTRICT b,
                             size_t n) {
  const hn::ScalableTag<int32_t> d32;
  const hn::Rebind<uint8_t, decltype(d32)> d8;
  const size_t lanes = hn::Lanes(d32);
  auto s0 = hn::Zero(d32);
  auto s1 = hn::Zero(d32);
  size_t i = 0;
  auto step = [&](size_t at, decltype(s0) acc) {
    const auto va = hn::PromoteTo(d32, hn::LoadU(d8, a + at));
    const auto vb = hn::PromoteTo(d32, hn::LoadU(d8, b + at));
    if constexpr (K == Kind::kDot) {
      return hn::Add(acc, hn::Mul(va, vb));
    } else if constexpr (K == Kind::kSquaredL2) {
      const auto diff = hn::Sub(va, vb);
      return hn::Add(acc, hn::Mul(diff, diff));
    } else {
      return hn::Add(acc, hn::Abs(hn::Sub(va, vb)));
    }
  };
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    s0 = step(i, s0);
    s1 = step(i + lanes, s1);
  }
  for (; i + lanes <= n; i += lanes) s0 = step(i, s0);
  uint32_t sum = static_cast<uint32_t>(hn::GetLane(hn::SumOfLanes(d32, hn::Add(s0, s1))));
  for (; i < n; ++i) {
    int32_t x = a[i], y = b[i];
    if constexpr (K == Kind::kDot) {
      sum += static_cast<uint32_t>(x * y);
    } else if constexpr (K == Kind::kSquaredL2) {
      sum += static_cast<uint32_t>((x - y) * (x - y));
    } else {
      sum += static_cast<uint32_t>(std::abs(x - y));
    }
  }
  return sum;
}

// Float query against uint8 codes (asymmetric: only the stored side is quantized).
template <Kind K>
HWY_INLINE float ReduceF32U8(const float* HWY_RESTRICT q, const uint8_t* HWY_RESTRICT c, size_t n) {
  const hn::ScalableTag<float> df;
  const hn::RebindToSigned<decltype(df)> di;
  const hn::Rebind<uint8_t, decltype(df)> d8;
  const size_t lanes = hn::Lanes(df);
  auto s0 = hn::Zero(df);
  auto s1 = hn::Zero(df);
  auto step = [&](size_t at, decltype(s0) acc) {
    const auto vq = hn::LoadU(df, q + at);
    const auto vc = hn::ConvertTo(df, hn::PromoteTo(di, hn::LoadU(d8, c + at)));
    if constexpr (K == Kind::kDot) {
      return hn::MulAdd(vq, vc, acc);
    } else if constexpr (K == Kind::kSquaredL2) {
      const auto diff = hn::Sub(vq, vc);
      return hn::MulAdd(diff, diff, acc);
    } else {
      return hn::Add(acc, hn::Abs(hn::Sub(vq, vc)));
    }
  };
  size_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    s0 = step(i, s0);
    s1 = step(i + lanes, s1);
  }
  for (; i + lanes <= n; i += lanes) s0 = step(i, s0);
  float sum = hn::GetLane(hn::SumOfLanes(df, hn::Add(s0, s1)));
  for (; i < n; ++i) {
    float x = q[i], y = float(c[i]);
    if constexpr (K == Kind::kDot) {
      sum += x * y;
    } else if constexpr (K == Kind::kSquaredL2) {
      sum += (x - y) * (x - y);
    } else {
      sum += std::fabs(x - y);
    }
  }
  return sum;
}

float DotF32U8Impl(const float* q, const uint8_t* c, size_t n) {
  return ReduceF32U8<Kind::kDot>(q, c, n);
}
float SquaredL2F32U8Impl(const float* q, const uint8_t* c, size_t n) {
  return ReduceF32U8<Kind::kSquaredL2>(q, c, n);
}
float L1F32U8Impl(const float* q, const uint8_t* c, size_t n) {
  return ReduceF32U8<Kind::kL1>(q, c, n);
}

uint32_t DotU8Impl(const uint8_t* a, const uint8_t* b, size_t n) {
  return ReduceU8<Kind::kDot>(a, b, n);
}
uint32_t SquaredL2U8Impl(const uint8_t* a, const uint8_t* b, size_t n) {
  return ReduceU8<Kind::kSquaredL2>(a, b, n);
}
uint32_t L1U8Impl(const uint8_t* a, const uint8_t* b, size_t n) {
  return ReduceU8<Kind::kL1>(a, b, n);
}

}  // namespace HWY_NAMESPACE
}  // namespace quiver::engine
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace quiver::engine {

HWY_EXPORT(DotU8Impl);
HWY_EXPORT(SquaredL2U8Impl);
HWY_EXPORT(L1U8Impl);
HWY_EXPORT(DotF32U8Impl);
HWY_EXPORT(SquaredL2F32U8Impl);
HWY_EXPORT(L1F32U8Impl);

float DotF32U8(const float* q, const uint8_t* c, size_t n) {
  return HWY_DYNAMIC_DISPATCH(DotF32U8Impl)(q, c, n);
}
float SquaredL2F32U8(const float* q, const uint8_t* c, size_t n) {
  return HWY_DYNAMIC_DISPATCH(SquaredL2F32U8Impl)(q, c, n);
}
float L1F32U8(const float* q, const uint8_t* c, size_t n) {
  return HWY_DYNAMIC_DISPATCH(L1F32U8Impl)(q, c, n);
}

uint32_t DotU8(const uint8_t* a, const uint8_t* b, size_t n) {
  return HWY_DYNAMIC_DISPATCH(DotU8Impl)(a, b, n);
}
uint32_t SquaredL2U8(const uint8_t* a, const uint8_t* b, size_t n) {
  return HWY_DYNAMIC_DISPATCH(SquaredL2U8Impl)(a, b, n);
}
uint32_t L1U8(const uint8_t* a, const uint8_t* b, size_t n) {
  return HWY_DYNAMIC_DISPATCH(L1U8Impl)(a, b, n);
}

}  // namespace quiver::engine
#endif  // HWY_ONCE
