#include "engine/index/distance_kernels.h"

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace quiver::engine {
namespace {

struct Reference {
  double dot = 0, dot_scale = 0, l2 = 0, l1 = 0;
};

Reference Scalar(const float* a, const float* b, size_t n) {
  Reference r;
  for (size_t i = 0; i < n; ++i) {
    double x = a[i], y = b[i];
    r.dot += x * y;
    r.dot_scale += std::fabs(x * y);
    r.l2 += (x - y) * (x - y);
    r.l1 += std::fabs(x - y);
  }
  return r;
}

// Relative error 1e-4 against the sum of the magnitudes of the terms (for the dot product, mixed
// signs can cancel to near zero; L2 and L1 sum non-negative terms, so this is their value).
void ExpectNear(double got, double want, double scale, const std::string& what) {
  EXPECT_LE(std::fabs(got - want), 1e-4 * scale + 1e-30)
      << what << " got " << got << " want " << want;
}

std::vector<size_t> Sizes() {
  std::vector<size_t> sizes;
  for (size_t n = 0; n <= 70; ++n) sizes.push_back(n);
  sizes.push_back(384);
  sizes.push_back(1536);
  return sizes;
}

std::vector<float> Random(std::mt19937* rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(*rng);
  return v;
}

// Runs `body` once for every SIMD target compiled in and supported by this CPU, forcing the
// dispatcher to pick it.
template <typename Body>
void ForEachTarget(Body body) {
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    EXPECT_STREQ(SimdTargetName(), hwy::TargetName(target));
    body();
  }
  hwy::SetSupportedTargetsForTest(0);
}

TEST(DistanceKernelsTest, MatchScalarReferenceForManySizes) {
  ForEachTarget([] {
    std::mt19937 rng(42);
    for (size_t n : Sizes()) {
      // One extra float so that an offset of 1 exercises unaligned loads.
      std::vector<float> a = Random(&rng, n + 1, -1.0f, 1.0f);
      std::vector<float> b = Random(&rng, n + 1, -2.0f, 2.0f);
      for (size_t offset : {0, 1}) {
        const float* pa = a.data() + offset;
        const float* pb = b.data() + offset;
        std::string what = "n=" + std::to_string(n) + " offset=" + std::to_string(offset);
        Reference r = Scalar(pa, pb, n);
        ExpectNear(DotProduct(pa, pb, n), r.dot, r.dot_scale, "dot " + what);
        ExpectNear(SquaredL2(pa, pb, n), r.l2, r.l2, "l2 " + what);
        ExpectNear(L1Distance(pa, pb, n), r.l1, r.l1, "l1 " + what);
      }
    }
  });
}

TEST(DistanceKernelsTest, ScoreUsesQdrantSemantics) {
  const float a[] = {1, 2, 3};
  const float b[] = {4, -6, 3};
  EXPECT_FLOAT_EQ(Score(Distance::kDot, a, b, 3), 1.0f);
  EXPECT_FLOAT_EQ(Score(Distance::kCosine, a, b, 3), 1.0f);
  EXPECT_FLOAT_EQ(Score(Distance::kEuclid, a, b, 3), std::sqrt(73.0f));
  EXPECT_FLOAT_EQ(Score(Distance::kManhattan, a, b, 3), 11.0f);
}

TEST(DistanceKernelsTest, ScoreManyMatchesScore) {
  ForEachTarget([] {
    std::mt19937 rng(7);
    for (size_t dim : {1, 3, 8, 17, 64, 100, 384}) {
      const size_t rows = 13;
      std::vector<float> data = Random(&rng, rows * dim, -1.0f, 1.0f);
      std::vector<float> query = Random(&rng, dim, -1.0f, 1.0f);
      for (Distance d :
           {Distance::kCosine, Distance::kDot, Distance::kEuclid, Distance::kManhattan}) {
        std::vector<float> out(rows, -1.0f);
        ScoreMany(d, query.data(), data.data(), rows, dim, out.data());
        for (size_t r = 0; r < rows; ++r) {
          EXPECT_FLOAT_EQ(out[r], Score(d, query.data(), data.data() + r * dim, dim))
              << "dim=" << dim << " row=" << r;
        }
      }
    }
    float untouched = 5.0f;
    ScoreMany(Distance::kDot, nullptr, nullptr, 0, 4, &untouched);
    EXPECT_EQ(untouched, 5.0f);
  });
}

TEST(DistanceKernelsTest, NormalizeGivesUnitLength) {
  ForEachTarget([] {
    std::mt19937 rng(3);
    for (size_t n : Sizes()) {
      if (n == 0) continue;
      std::vector<float> v = Random(&rng, n, -10.0f, 10.0f);
      std::vector<float> original = v;
      Normalize(v.data(), n);
      double norm = 0;
      for (float x : v) norm += static_cast<double>(x) * x;
      EXPECT_NEAR(std::sqrt(norm), 1.0, 1e-5) << "n=" << n;
      // Same direction: each component scaled by the same positive factor.
      double len = std::sqrt(Scalar(original.data(), original.data(), n).dot);
      for (size_t i = 0; i < n; ++i) {
        EXPECT_NEAR(v[i], original[i] / len, 1e-5) << "n=" << n << " i=" << i;
      }
    }
    std::vector<float> zero(19, 0.0f);
    Normalize(zero.data(), zero.size());
    for (float x : zero) EXPECT_EQ(x, 0.0f);
    Normalize(nullptr, 0);
  });
}

TEST(DistanceKernelsTest, TargetNameIsKnown) {
  std::string name = SimdTargetName();
  EXPECT_FALSE(name.empty());
  EXPECT_NE(name, "Unknown");
  std::printf("SIMD target: %s\n", name.c_str());
}

}  // namespace
}  // namespace quiver::engine
