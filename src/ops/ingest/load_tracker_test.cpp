#include "ops/ingest/load_tracker.h"

#include <gtest/gtest.h>

#include <thread>

namespace quiver::ops::ingest {
namespace {

SourcePosition At(uint64_t records) {
  SourcePosition p;
  p.records = records;
  p.offset = records * 10;
  return p;
}

TEST(LoadTracker, AcknowledgedPrefixWaitsForGaps) {
  LoadTracker t(LoadSnapshot{}, std::chrono::hours(1));
  EXPECT_TRUE(t.Complete(1, {10, 9, 1}, At(20)).ok());
  EXPECT_EQ(t.Acked().next_seq, 0u);  // batch 0 is still in flight
  EXPECT_TRUE(t.Complete(0, {10, 10, 0}, At(10)).ok());
  LoadSnapshot a = t.Acked();
  EXPECT_EQ(a.next_seq, 2u);
  EXPECT_EQ(a.totals.records, 20u);
  EXPECT_EQ(a.totals.loaded, 19u);
  EXPECT_EQ(a.totals.rejected, 1u);
  EXPECT_EQ(a.position.records, 20u);
  EXPECT_TRUE(t.Complete(3, {10, 10, 0}, At(40)).ok());
  EXPECT_EQ(t.Acked().next_seq, 2u);
}

TEST(LoadTracker, ResumedRunsStartFromTheCheckpoint) {
  LoadSnapshot start;
  start.totals = {100, 98, 2};
  start.position = At(100);
  LoadTracker t(start, std::chrono::hours(1));
  EXPECT_EQ(t.Durable().position.records, 100u);
  EXPECT_TRUE(t.Complete(0, {5, 5, 0}, At(105)).ok());
  EXPECT_EQ(t.Acked().totals.loaded, 103u);
}

TEST(LoadTracker, DurableOnlyMovesForward) {
  LoadTracker t(LoadSnapshot{}, std::chrono::milliseconds(0));
  EXPECT_TRUE(t.Complete(0, {10, 10, 0}, At(10)).ok());
  LoadSnapshot s1;
  ASSERT_TRUE(t.DurableRequestDue(&s1));
  EXPECT_EQ(s1.next_seq, 1u);
  EXPECT_TRUE(t.Complete(1, {10, 10, 0}, At(20)).ok());
  LoadSnapshot s2;
  ASSERT_TRUE(t.DurableRequestDue(&s2));
  uint64_t v = t.durable_version();
  t.MarkDurable(s2);
  EXPECT_EQ(t.Durable().position.records, 20u);
  EXPECT_GT(t.durable_version(), v);
  t.MarkDurable(s1);  // an older wait=true answer arriving late
  EXPECT_EQ(t.Durable().position.records, 20u);
}

TEST(LoadTracker, DurableRequestsAreSpacedByTheInterval) {
  LoadTracker t(LoadSnapshot{}, std::chrono::milliseconds(50));
  LoadSnapshot s;
  EXPECT_FALSE(t.DurableRequestDue(&s));
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_TRUE(t.DurableRequestDue(&s));
  EXPECT_FALSE(t.DurableRequestDue(&s));
}

TEST(LoadTracker, RejectEntriesAreWrittenInInputOrder) {
  LoadTracker t(LoadSnapshot{}, std::chrono::hours(1));
  std::string written;
  uint64_t count = 0;
  t.SetRejectSink([&](std::string_view entries, uint64_t n) {
    written += entries;
    count += n;
    return base::Status::Ok();
  });
  EXPECT_TRUE(t.Complete(2, {5, 4, 1}, At(15), "c\n").ok());
  EXPECT_TRUE(t.Complete(1, {5, 5, 0}, At(10)).ok());
  EXPECT_EQ(written, "");  // batch 0 is not done: nothing may be written yet
  EXPECT_TRUE(t.Complete(0, {5, 3, 2}, At(5), "a\nb\n").ok());
  EXPECT_EQ(written, "a\nb\nc\n");
  EXPECT_EQ(count, 3u);
  t.SetRejectSink([](std::string_view, uint64_t) { return base::Status::Internal("disk full"); });
  EXPECT_EQ(t.Complete(3, {1, 0, 1}, At(16), "d\n").message(), "disk full");
}

}  // namespace
}  // namespace quiver::ops::ingest
