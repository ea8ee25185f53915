#include "engine/index/scalar_quantizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "engine/index/distance_kernels.h"
#include "engine/index/quantized_kernels.h"

namespace quiver::engine {
namespace {

TEST(QuantizedKernelsTest, MatchScalarReferenceExactlyAtEveryLength) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> byte(0, 255);
  for (size_t n : {0, 1, 7, 8, 15, 16, 17, 31, 33, 64, 100, 384, 1000}) {
    std::vector<uint8_t> a(n), b(n);
    for (size_t i = 0; i < n; ++i) a[i] = byte(rng), b[i] = byte(rng);
    uint64_t dot = 0, l2 = 0, l1 = 0;
    for (size_t i = 0; i < n; ++i) {
      int d = int(a[i]) - int(b[i]);
      dot += uint64_t(a[i]) * b[i];
      l2 += uint64_t(d * d);
      l1 += uint64_t(std::abs(d));
    }
    EXPECT_EQ(DotU8(a.data(), b.data(), n), dot) << n;
    EXPECT_EQ(SquaredL2U8(a.data(), b.data(), n), l2) << n;
    EXPECT_EQ(L1U8(a.data(), b.data(), n), l1) << n;
  }
}

// Without a quantile (no clipping) every coordinate is off by at most step/2, which bounds the
// error of each distance; the bound must hold on every pair.
TEST(ScalarQuantizedTest, ErrorsStayWithinTheRoundingBound) {
  const uint32_t n = 500, dim = 64;
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0, 1);
  std::vector<float> data(size_t(n) * dim);
  for (auto& x : data) x = g(rng);
  for (Distance dist : {Distance::kDot, Distance::kEuclid, Distance::kManhattan}) {
    auto q = ScalarQuantized::Build(data.data(), nullptr, n, dim, dist, std::nullopt);
    const float h = q->step() / 2;
    for (uint32_t qi = 0; qi < 20; ++qi) {
      const float* query = &data[size_t(qi) * dim];
      auto prepared = q->Prepare(query);
      for (uint32_t r = 0; r < n; r += 7) {
        const float* row = &data[size_t(r) * dim];
        float truth = Score(dist, query, row, dim);
        float approx = q->Score(prepared, r);
        float bound = 0;
        if (dist == Distance::kDot) {
          for (uint32_t d = 0; d < dim; ++d) bound += h * (std::fabs(query[d]) + std::fabs(row[d]));
          bound += dim * h * h;
        } else {
          bound = dist == Distance::kEuclid ? 2 * h * std::sqrt(float(dim)) : 2 * h * dim;
        }
        EXPECT_LE(std::fabs(approx - truth), bound * 1.01f + 1e-4f)
            << DistanceName(dist) << " q" << qi << " r" << r;
      }
    }
  }
}

TEST(ScalarQuantizedTest, QuantileClipsOutliersAndAbsentRowsAreSkipped) {
  const uint32_t n = 1000, dim = 16;
  std::vector<float> data(size_t(n) * dim, 0.5f);
  std::mt19937 rng(9);
  std::normal_distribution<float> g(0, 0.1f);
  for (auto& x : data) x += g(rng);
  data[5] = 1000.0f;  // one outlier
  std::vector<uint8_t> present(n, 1);
  present[7] = 0;
  auto full =
      ScalarQuantized::Build(data.data(), present.data(), n, dim, Distance::kDot, std::nullopt);
  auto clipped = ScalarQuantized::Build(data.data(), present.data(), n, dim, Distance::kDot, 0.99);
  EXPECT_GT(full->step(), 3.0f);      // the range reaches the outlier
  EXPECT_LT(clipped->step(), 0.01f);  // the range covers the bulk
  EXPECT_EQ(clipped->quantile(), 0.99);
  for (uint32_t d = 0; d < dim; ++d) EXPECT_EQ(clipped->Codes(7)[d], 0);
  EXPECT_EQ(clipped->Codes(0)[5], 255);  // clamped, never wrapped
}

TEST(ScalarQuantizedTest, BinaryDistanceIsTheNumberOfDifferingSigns) {
  const uint32_t n = 200, dim = 100;  // two 64-bit words, the second partly used
  std::mt19937 rng(13);
  std::normal_distribution<float> g(0, 1);
  std::vector<float> data(size_t(n) * dim);
  for (auto& x : data) x = g(rng);
  auto q = ScalarQuantized::BuildBinary(data.data(), nullptr, n, dim, Distance::kCosine);
  ASSERT_TRUE(q->binary());
  for (uint32_t qi = 0; qi < 10; ++qi) {
    const float* query = &data[size_t(qi) * dim];
    auto prepared = q->Prepare(query);
    for (uint32_t r = 0; r < n; ++r) {
      uint32_t differ = 0;
      for (uint32_t d = 0; d < dim; ++d)
        differ += (query[d] > 0) != (data[size_t(r) * dim + d] > 0);
      EXPECT_EQ(q->Dist(prepared, r), float(differ));
      EXPECT_FLOAT_EQ(q->Score(prepared, r), 1.0f - 2.0f * float(differ) / dim);
    }
    EXPECT_EQ(q->Dist(prepared, qi), 0.0f);
  }
}

// Rows read block by block into a buffer (a column on disk) give the same codes as rows in
// memory, across a partial last block; a read error gives no quantized copy at all.
TEST(ScalarQuantizedTest, RowsReadInBlocksGiveTheSameCodesAndReadErrorsNone) {
  const uint32_t n = 2500, dim = 24;  // 1,024-row blocks: two whole, one partial
  std::mt19937 rng(21);
  std::normal_distribution<float> g(0, 1);
  std::vector<float> data(size_t(n) * dim);
  for (auto& x : data) x = g(rng);
  std::vector<uint8_t> present(n, 1);
  present[1500] = 0;
  uint32_t reads = 0;
  ScalarQuantized::RowReader copied = [&](uint32_t start, uint32_t count, float* buf) {
    ++reads;
    EXPECT_LE(start + count, n);
    std::copy(data.begin() + size_t(start) * dim, data.begin() + size_t(start + count) * dim, buf);
    return static_cast<const float*>(buf);
  };
  auto in_memory =
      ScalarQuantized::Build(data.data(), present.data(), n, dim, Distance::kDot, 0.99);
  auto read = ScalarQuantized::Build(copied, present.data(), n, dim, Distance::kDot, 0.99);
  ASSERT_TRUE(in_memory && read);
  EXPECT_GT(reads, 3u);
  EXPECT_EQ(read->lo(), in_memory->lo());
  EXPECT_EQ(read->step(), in_memory->step());
  for (uint32_t r = 0; r < n; ++r) {
    ASSERT_EQ(std::memcmp(read->Codes(r), in_memory->Codes(r), dim), 0) << r;
  }
  auto bits = ScalarQuantized::BuildBinary(copied, present.data(), n, dim, Distance::kDot);
  auto bits_in_memory =
      ScalarQuantized::BuildBinary(data.data(), present.data(), n, dim, Distance::kDot);
  auto q = bits->Prepare(data.data());
  for (uint32_t r = 0; r < n; ++r) ASSERT_EQ(bits->Dist(q, r), bits_in_memory->Dist(q, r)) << r;

  ScalarQuantized::RowReader failing = [&](uint32_t start, uint32_t count, float* buf) {
    return start + count > 2000 ? nullptr : copied(start, count, buf);
  };
  EXPECT_EQ(ScalarQuantized::Build(failing, present.data(), n, dim, Distance::kDot, 0.99), nullptr);
  EXPECT_EQ(ScalarQuantized::BuildBinary(failing, present.data(), n, dim, Distance::kDot), nullptr);
}

}  // namespace
}  // namespace quiver::engine
