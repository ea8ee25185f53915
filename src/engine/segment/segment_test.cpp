// Segments: a sealed segment packs its payloads (decoded on access) and the packed form survives
// serialization; filters, field indexes and appends after unpacking see the same values.
#include "engine/segment/segment.h"

#include <gtest/gtest.h>

#include "base/crc32c.h"

namespace quiver::engine {
namespace {

Value PayloadOf(int i) {
  Value p{Object{}};
  p.Set("n", Value(int64_t(i)));
  p.Set("tag", Value(i % 3 == 0 ? "three" : "other"));
  Value nested{Object{}};
  nested.Set("price", Value(i * 0.5));
  nested.Set("tags", Value(Array{Value("a"), Value(int64_t(i % 7))}));
  p.Set("nested", std::move(nested));
  if (i % 5 == 0) p = Value();  // some points have no payload
  return p;
}

std::unique_ptr<Segment> Filled(int n) {
  VectorSpecs specs{{"", VectorSpec{2, Distance::kDot}}};
  auto seg = std::make_unique<Segment>(7, specs);
  for (int i = 0; i < n; ++i) {
    seg->Append(PointId::Num(i), i + 1, NamedVectors{{"", {float(i), 1.0f}}}, PayloadOf(i));
  }
  return seg;
}

size_t CountTag(const Segment& seg, const char* tag) {
  Filter f;
  FieldCondition c;
  c.key = "tag";
  c.cond = MatchValue{Value(tag)};
  f.must.push_back(Condition{c});
  size_t count = 0;
  for (uint32_t i = 0; i < seg.size(); ++i) {
    Segment::View view(seg, i);
    count += MatchesFilter(f, view);
  }
  return count;
}

TEST(SegmentTest, SealedPayloadsArePackedAndReadBackUnchanged) {
  auto seg = Filled(300);
  const size_t threes = CountTag(*seg, "three");
  EXPECT_EQ(threes, 80u);  // i % 3 == 0 and i % 5 != 0
  seg->Seal();
  for (int i = 0; i < 300; ++i) {
    Value scratch;
    ASSERT_EQ(seg->PayloadAt(i), PayloadOf(i)) << i;
    ASSERT_EQ(seg->PayloadRef(i, scratch), PayloadOf(i)) << i;
  }
  EXPECT_EQ(CountTag(*seg, "three"), threes);
  seg->BuildFieldIndex("tag", "keyword");
  FieldCondition c;
  c.key = "tag";
  c.cond = MatchValue{Value("three")};
  bool exact = false;
  auto cand = seg->FieldIndexFor("tag")->Candidates(c, &exact);
  ASSERT_TRUE(cand.has_value());
  EXPECT_EQ(cand->size(), threes);

  // Round trip: the packed bytes are the file's payload section, checked on load.
  auto loaded = Segment::DeserializeData(seg->SerializeData(), seg->specs(), "/nonexistent");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  for (int i = 0; i < 300; ++i) ASSERT_EQ(loaded.value()->PayloadAt(i), PayloadOf(i)) << i;
  EXPECT_EQ(CountTag(*loaded.value(), "three"), threes);
  EXPECT_EQ(loaded.value()->SerializeData(), seg->SerializeData());

  // A payload changed after sealing (not done by the collection, but kept correct) unpacks.
  seg->MutablePayload(3) = Value("x");
  EXPECT_EQ(seg->PayloadAt(3), Value("x"));
  EXPECT_EQ(seg->PayloadAt(4), PayloadOf(4));
}

TEST(SegmentTest, PackedSegmentEncodesAppendedPayloads) {
  VectorSpecs specs{{"", VectorSpec{2, Distance::kDot}}};
  Segment seg(9, specs);
  seg.PackPayloads();  // as the optimizer fills a new segment
  for (int i = 0; i < 100; ++i) {
    seg.Append(PointId::Num(i), 1, NamedVectors{{"", {1.0f, 0.0f}}}, PayloadOf(i));
  }
  seg.Seal();
  for (int i = 0; i < 100; ++i) ASSERT_EQ(seg.PayloadAt(i), PayloadOf(i)) << i;
  auto loaded = Segment::DeserializeData(seg.SerializeData(), specs, "/nonexistent");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.value()->PayloadAt(42), PayloadOf(42));
  EXPECT_EQ(CountTag(seg, "three"), 27u);  // i % 3 == 0 and i % 5 != 0 below 100
}

TEST(SegmentTest, AppendableSegmentRoundTripKeepsPayloadsDecoded) {
  auto seg = Filled(50);
  auto loaded = Segment::DeserializeData(seg->SerializeData(), seg->specs(), "/nonexistent");
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(loaded.value()->sealed());
  loaded.value()->MutablePayload(1) = Value(int64_t(5));
  EXPECT_EQ(loaded.value()->PayloadAt(1), Value(int64_t(5)));
  EXPECT_EQ(loaded.value()->PayloadAt(2), PayloadOf(2));
}

TEST(SegmentTest, DamagedPayloadBytesAreCorruption) {
  auto seg = Filled(40);
  seg->Seal();
  std::string bytes = seg->SerializeData();
  // Cut the file inside the payload section and fix its checksum: the decoder must notice.
  std::string cut = bytes.substr(0, bytes.size() - 4 - 7);
  uint32_t crc = base::Crc32c(cut);
  cut.append(reinterpret_cast<const char*>(&crc), 4);
  auto loaded = Segment::DeserializeData(cut, seg->specs(), "/nonexistent");
  EXPECT_FALSE(loaded.ok());
}

}  // namespace
}  // namespace quiver::engine
