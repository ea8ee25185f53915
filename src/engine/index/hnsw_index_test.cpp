#include "engine/index/hnsw_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "engine/index/distance_kernels.h"

namespace quiver::engine {
namespace {

// Clustered data (a Gaussian mixture), never uniform noise: recall on noise means nothing.
std::vector<float> Clustered(uint32_t n, uint32_t dim, uint32_t centres, uint64_t seed,
                             bool normalize) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0, 1);
  std::vector<float> c(size_t(centres) * dim);
  for (auto& x : c) x = g(rng);
  std::uniform_int_distribution<uint32_t> pick(0, centres - 1);
  std::uniform_real_distribution<float> spread(0.05f, 0.4f);
  std::vector<float> out(size_t(n) * dim);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t k = pick(rng);
    float s = spread(rng);
    for (uint32_t d = 0; d < dim; ++d)
      out[size_t(i) * dim + d] = c[size_t(k) * dim + d] + s * g(rng);
    if (normalize) Normalize(&out[size_t(i) * dim], dim);
  }
  return out;
}

std::vector<uint32_t> Exact(const std::vector<float>& data, uint32_t n, uint32_t dim,
                            const float* q, Distance d, size_t k,
                            const std::function<bool(uint32_t)>* accept) {
  std::vector<std::pair<float, uint32_t>> all;
  for (uint32_t i = 0; i < n; ++i) {
    if (accept && !(*accept)(i)) continue;
    float s = Score(d, q, &data[size_t(i) * dim], dim);
    all.emplace_back(HigherIsBetter(d) ? -s : s, i);
  }
  std::partial_sort(all.begin(), all.begin() + std::min(k, all.size()), all.end());
  std::vector<uint32_t> ids;
  for (size_t i = 0; i < std::min(k, all.size()); ++i) ids.push_back(all[i].second);
  return ids;
}

double Recall(const HnswIndex& idx, const std::vector<float>& data, uint32_t n, uint32_t dim,
              Distance d, const std::vector<float>& queries, size_t ef,
              const std::function<bool(uint32_t)>* accept) {
  size_t hit = 0, total = 0;
  for (size_t qi = 0; qi * dim < queries.size(); ++qi) {
    const float* q = &queries[qi * dim];
    auto truth = Exact(data, n, dim, q, d, 10, accept);
    auto got = idx.Search(q, 10, ef, accept);
    std::set<uint32_t> t(truth.begin(), truth.end());
    for (auto& [s, id] : got) hit += t.count(id);
    total += truth.size();
  }
  return double(hit) / double(total);
}

TEST(HnswIndexTest, RecallOnClusteredDataForEveryDistance) {
  const uint32_t n = 5000, dim = 32;
  for (Distance d : {Distance::kCosine, Distance::kDot, Distance::kEuclid, Distance::kManhattan}) {
    // Queries come from the same mixture as the data (held out), as real queries do.
    auto data = Clustered(n + 50, dim, 50, 7, d == Distance::kCosine);
    std::vector<float> queries(data.begin() + size_t(n) * dim, data.end());
    data.resize(size_t(n) * dim);
    auto idx = HnswIndex::Build(data.data(), nullptr, n, dim, d, {16, 100, 1, 2});
    double recall = Recall(*idx, data, n, dim, d, queries, 64, nullptr);
    EXPECT_GE(recall, 0.95) << DistanceName(d);
  }
}

TEST(HnswIndexTest, FilteredSearchOnlyReturnsAcceptedAndKeepsRecall) {
  const uint32_t n = 4000, dim = 24;
  auto data = Clustered(n + 40, dim, 40, 3, true);
  std::vector<float> queries(data.begin() + size_t(n) * dim, data.end());
  data.resize(size_t(n) * dim);
  auto idx = HnswIndex::Build(data.data(), nullptr, n, dim, Distance::kCosine, {16, 100, 1, 2});
  for (uint32_t modulo : {2u, 10u, 50u}) {  // 50%, 10%, 2% selective
    std::function<bool(uint32_t)> accept = [modulo](uint32_t i) { return i % modulo == 0; };
    for (size_t qi = 0; qi < 5; ++qi) {
      for (auto& [s, id] : idx->Search(&queries[qi * dim], 10, 64, &accept)) {
        EXPECT_EQ(id % modulo, 0u);
      }
    }
    EXPECT_GE(Recall(*idx, data, n, dim, Distance::kCosine, queries, 64, &accept), 0.9) << modulo;
  }
}

TEST(HnswIndexTest, SeedsFindMatchesOutsideTheQueryNeighbourhood) {
  // A filter tied to the clusters (4 of 40) and queries from the other clusters: the walk from the
  // query's own neighbourhood meets no match for a long time; seeds sampled from the matches start
  // it next to them. Every result is a match, with and without the two-hop walk.
  const uint32_t n = 8000, dim = 24, centres = 40;
  std::mt19937_64 rng(17);
  std::normal_distribution<float> g(0, 1);
  std::vector<float> c(size_t(centres) * dim);
  for (auto& x : c) x = g(rng);
  std::vector<float> data(size_t(n) * dim);
  std::vector<uint32_t> cluster(n);
  std::vector<float> queries;
  for (uint32_t i = 0; i < n + 40; ++i) {
    const uint32_t k = i % centres;
    std::vector<float> v(dim);
    for (uint32_t d = 0; d < dim; ++d) v[d] = c[size_t(k) * dim + d] + 0.1f * g(rng);
    Normalize(v.data(), dim);
    if (i < n) {
      std::copy(v.begin(), v.end(), data.begin() + size_t(i) * dim);
      cluster[i] = k;
    } else if (k >= 4) {
      queries.insert(queries.end(), v.begin(), v.end());
    }
  }
  auto idx = HnswIndex::Build(data.data(), nullptr, n, dim, Distance::kCosine, {16, 100, 1, 2});
  std::function<bool(uint32_t)> accept = [&](uint32_t i) { return cluster[i] < 4; };
  std::vector<uint32_t> matches;
  for (uint32_t i = 0; i < n; ++i) {
    if (accept(i)) matches.push_back(i);
  }
  std::vector<uint32_t> seeds;
  for (size_t j = 0; j < 128; ++j) seeds.push_back(matches[j * matches.size() / 128]);
  seeds.push_back(n + 5);  // out of range: ignored
  auto recall = [&](std::span<const uint32_t> with, size_t ef, bool two_hop) {
    size_t hit = 0, total = 0;
    for (size_t qi = 0; qi * dim < queries.size(); ++qi) {
      const float* q = &queries[qi * dim];
      auto truth = Exact(data, n, dim, q, Distance::kCosine, 10, &accept);
      std::set<uint32_t> t(truth.begin(), truth.end());
      for (auto& [s, id] : idx->Search(q, 10, ef, &accept, with, two_hop)) {
        EXPECT_TRUE(accept(id));
        hit += t.count(id);
      }
      total += truth.size();
    }
    return double(hit) / double(total);
  };
  // The plain walk gets there by scoring the rejected neighbourhood; the two-hop walk, which scores
  // only matches, needs the seeds to start near them (without: 0.44 here).
  EXPECT_GE(recall({}, 64, false), 0.97);
  EXPECT_GE(recall(seeds, 64, true), 0.97);
  EXPECT_LT(recall({}, 64, true), recall(seeds, 64, true));
}

TEST(HnswIndexTest, AbsentRowsAreNotIndexedAndRoundTrip) {
  const uint32_t n = 1000, dim = 8;
  auto data = Clustered(n, dim, 10, 11, false);
  std::vector<uint8_t> present(n, 1);
  for (uint32_t i = 0; i < n; i += 3) present[i] = 0;
  auto idx =
      HnswIndex::Build(data.data(), present.data(), n, dim, Distance::kEuclid, {8, 50, 1, 1});
  EXPECT_EQ(idx->indexed_count(), n - (n + 2) / 3);
  for (auto& [s, id] : idx->Search(&data[0], 20, 50, nullptr)) EXPECT_NE(id % 3, 0u);
  std::string bytes = idx->Serialize();
  auto back = HnswIndex::Deserialize(bytes, data.data(), n, dim, Distance::kEuclid);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back.value()->Search(&data[3], 5, 50, nullptr), idx->Search(&data[3], 5, 50, nullptr));
  // Damaged bytes are refused, never followed.
  for (size_t pos : {size_t(20), bytes.size() / 2, bytes.size() - 5}) {
    std::string bad = bytes;
    bad[pos] ^= 0x40;
    EXPECT_FALSE(HnswIndex::Deserialize(bad, data.data(), n, dim, Distance::kEuclid).ok()) << pos;
  }
  EXPECT_FALSE(
      HnswIndex::Deserialize(bytes.substr(0, 100), data.data(), n, dim, Distance::kEuclid).ok());
}

TEST(HnswIndexTest, ExtendedGraphKeepsRecallOverOldAndNewRows) {
  // A merge: the graph of the first 3,000 rows is extended with 2,000 more (a third absent).
  const uint32_t n = 5000, base_n = 3000, dim = 24;
  auto data = Clustered(n + 40, dim, 40, 5, true);
  std::vector<float> queries(data.begin() + size_t(n) * dim, data.end());
  data.resize(size_t(n) * dim);
  std::vector<uint8_t> present(n, 1);
  for (uint32_t i = base_n; i < n; i += 3) present[i] = 0;
  auto base =
      HnswIndex::Build(data.data(), nullptr, base_n, dim, Distance::kCosine, {16, 100, 1, 2});
  auto ext = HnswIndex::Extend(*base, data.data(), present.data(), n, {16, 100, 9, 2});
  ASSERT_NE(ext, nullptr);
  EXPECT_EQ(ext->size(), n);
  EXPECT_EQ(ext->indexed_count(), base_n + (n - base_n) - (n - base_n + 2) / 3);
  std::function<bool(uint32_t)> present_only = [&](uint32_t i) { return present[i] != 0; };
  EXPECT_GE(Recall(*ext, data, n, dim, Distance::kCosine, queries, 64, &present_only), 0.95);
  // New rows are reachable: each finds itself first.
  for (uint32_t i = base_n + 1; i < n; i += 97) {
    if (!present[i]) continue;
    auto got = ext->Search(&data[size_t(i) * dim], 1, 64, nullptr);
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got[0].second, i);
  }
  for (auto& [s, id] : ext->Search(&data[0], 50, 100, nullptr)) EXPECT_NE(present[id], 0) << id;
  auto back = HnswIndex::Deserialize(ext->Serialize(), data.data(), n, dim, Distance::kCosine);
  ASSERT_TRUE(back.ok()) << back.status().message();
  // The base graph is untouched.
  EXPECT_EQ(base->size(), base_n);
  EXPECT_EQ(base->indexed_count(), base_n);
}

}  // namespace
}  // namespace quiver::engine
