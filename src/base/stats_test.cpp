#include "base/stats.h"

#include <gtest/gtest.h>

#include <thread>

namespace quiver::base {
namespace {

const StatFamilySnapshot* FindFamily(const std::vector<StatFamilySnapshot>& snap,
                                     const std::string& name) {
  for (const auto& f : snap) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

TEST(StatsTest, CounterCountsFromManyThreads) {
  StatsRegistry r;
  Counter& c = r.Counter("things_total", "things").With({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&c] {
      for (int i = 0; i < 10000; ++i) c.Inc();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value(), 40000u);
  c.Inc(5);
  EXPECT_EQ(c.Value(), 40005u);
}

TEST(StatsTest, GaugeSetsAndAdds) {
  StatsRegistry r;
  Gauge& g = r.Gauge("level", "a level").With({});
  g.Set(2.5);
  g.Add(-1);
  EXPECT_DOUBLE_EQ(g.Value(), 1.5);
}

TEST(StatsTest, HistogramBoundsAreInclusiveAndCumulative) {
  Histogram h({0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 1.0, 5.0, 100.0}) h.Observe(v);
  std::vector<uint64_t> cumulative;
  uint64_t count = 0;
  double sum = 0;
  h.Read(&cumulative, &count, &sum);
  EXPECT_EQ(cumulative, (std::vector<uint64_t>{2, 4, 5}));  // 0.1 falls in le=0.1, 1.0 in le=1
  EXPECT_EQ(count, 6u);                                     // 100 only in +Inf
  EXPECT_DOUBLE_EQ(sum, 106.65);
}

TEST(StatsTest, HistogramCountNeverBelowLastBucketUnderRaces) {
  Histogram h({1, 2});
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    while (!stop) h.Observe(0.5);
  });
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint64_t> cumulative;
    uint64_t count = 0;
    double sum = 0;
    h.Read(&cumulative, &count, &sum);
    ASSERT_LE(cumulative[0], cumulative[1]);
    ASSERT_GE(count, cumulative[1]);
  }
  stop = true;
  writer.join();
}

TEST(StatsTest, LabelledCellsAreDistinctAndStable) {
  StatsRegistry r;
  CounterFamily& f = r.Counter("requests_total", "requests", {"collection", "plan"});
  Counter& a = f.With({"books", "exact"});
  Counter& b = f.With({"books", "graph"});
  a.Inc(3);
  b.Inc();
  EXPECT_EQ(&f.With({"books", "exact"}), &a);
  EXPECT_EQ(a.Value(), 3u);
  auto snap = r.Snapshot();
  const auto* fam = FindFamily(snap, "requests_total");
  ASSERT_NE(fam, nullptr);
  EXPECT_EQ(fam->kind, StatKind::kCounter);
  EXPECT_EQ(fam->label_names, (std::vector<std::string>{"collection", "plan"}));
  ASSERT_EQ(fam->samples.size(), 2u);
  EXPECT_EQ(fam->samples[0].label_values, (std::vector<std::string>{"books", "exact"}));
  EXPECT_EQ(fam->samples[0].value, 3);
  EXPECT_EQ(fam->samples[1].value, 1);
  f.Remove({"books", "graph"});
  f.Remove({"never", "there"});
  EXPECT_EQ(FindFamily(r.Snapshot(), "requests_total")->samples.size(), 1u);
}

TEST(StatsTest, RegisteringAgainReturnsTheSameFamily) {
  StatsRegistry r;
  HistogramFamily& h1 = r.Histogram("latency_seconds", "latency", {0.1, 1}, {"plan"});
  HistogramFamily& h2 = r.Histogram("latency_seconds", "latency", {0.1, 1}, {"plan"});
  EXPECT_EQ(&h1, &h2);
  h1.With({"exact"}).Observe(0.5);
  auto snap = r.Snapshot();
  const auto* fam = FindFamily(snap, "latency_seconds");
  ASSERT_NE(fam, nullptr);
  EXPECT_EQ(fam->kind, StatKind::kHistogram);
  EXPECT_EQ(fam->bounds, (std::vector<double>{0.1, 1}));
  ASSERT_EQ(fam->samples.size(), 1u);
  EXPECT_EQ(fam->samples[0].cumulative, (std::vector<uint64_t>{0, 1}));
  EXPECT_EQ(fam->samples[0].count, 1u);
}

TEST(StatsTest, SnapshotIsSortedAndKeepsEmptyFamilies) {
  StatsRegistry r;
  r.Gauge("zeta", "z");
  r.Counter("alpha_total", "a");
  auto snap = r.Snapshot();
  ASSERT_EQ(snap.size(), 2u);
  EXPECT_EQ(snap[0].name, "alpha_total");
  EXPECT_EQ(snap[1].name, "zeta");
  EXPECT_TRUE(snap[1].samples.empty());
}

TEST(StatsTest, GlobalIsOneInstance) {
  EXPECT_EQ(&StatsRegistry::Global(), &StatsRegistry::Global());
}

using StatsDeathTest = ::testing::Test;

TEST_F(StatsDeathTest, ConflictingRegistrationAborts) {
  StatsRegistry r;
  r.Counter("x_total", "x", {"a"});
  EXPECT_DEATH(r.Gauge("x_total", "x", {"a"}), "registered twice");
  EXPECT_DEATH(r.Counter("x_total", "x", {"b"}), "registered twice");
  r.Histogram("h_seconds", "h", {1, 2});
  EXPECT_DEATH(r.Histogram("h_seconds", "h", {1, 3}), "registered twice");
}

TEST_F(StatsDeathTest, BadUsageAborts) {
  StatsRegistry r;
  EXPECT_DEATH(r.Histogram("bad_seconds", "h", {2, 1}), "strictly increasing");
  CounterFamily& f = r.Counter("y_total", "y", {"a", "b"});
  EXPECT_DEATH(f.With({"only-one"}), "1 label values for 2 label names");
}

}  // namespace
}  // namespace quiver::base
