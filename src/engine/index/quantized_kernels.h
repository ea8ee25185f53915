// SIMD kernels over uint8 codes (Google Highway, runtime dispatch). Exact integer results for
// n ≤ 66,000 (no overflow of the 32-bit sums).
#pragma once

#include <cstddef>
#include <cstdint>

namespace quiver::engine {

uint32_t DotU8(const uint8_t* a, const uint8_t* b, size_t n);
uint32_t SquaredL2U8(const uint8_t* a, const uint8_t* b, size_t n);
uint32_t L1U8(const uint8_t* a, const uint8_t* b, size_t n);

// A float query against uint8 codes: Σ q·c, Σ (q − c)², Σ |q − c| (codes widened to float).
float DotF32U8(const float* q, const uint8_t* c, size_t n);
float SquaredL2F32U8(const float* q, const uint8_t* c, size_t n);
float L1F32U8(const float* q, const uint8_t* c, size_t n);

}  // namespace quiver::engine
