// SIMD distance kernels (Google Highway, runtime dispatch to the best target: AVX-512, AVX2, ...).
#pragma once

#include <cstddef>

#include "engine/types/distance.h"

namespace quiver::engine {

float DotProduct(const float* a, const float* b, size_t n);
float SquaredL2(const float* a, const float* b, size_t n);
float L1Distance(const float* a, const float* b, size_t n);

// Qdrant's score for one pair: Cosine and Dot → dot product (Cosine vectors are stored
// normalized), Euclid → L2 distance, Manhattan → L1 distance.
float Score(Distance d, const float* a, const float* b, size_t n);

// Scores `query` against `rows` contiguous vectors of `dim` floats starting at `data`.
void ScoreMany(Distance d, const float* query, const float* data, size_t rows, size_t dim,
               float* out);

// Normalizes in place to unit L2 length (a zero vector stays zero).
void Normalize(float* v, size_t n);

// The name of the SIMD target chosen at run time (for logs and /telemetry).
const char* SimdTargetName();

}  // namespace quiver::engine
