#include "engine/types/point_id.h"

#include <gtest/gtest.h>

namespace quiver::engine {

TEST(PointIdTest, UuidForms) {
  auto a = PointId::ParseUuid("550E8400-E29B-41D4-A716-446655440000");
  auto b = PointId::ParseUuid("550e8400e29b41d4a716446655440000");
  auto c = PointId::ParseUuid("{550e8400-e29b-41d4-a716-446655440000}");
  auto d = PointId::ParseUuid("urn:uuid:550e8400-e29b-41d4-a716-446655440000");
  ASSERT_TRUE(a && b && c && d);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, *c);
  EXPECT_EQ(*a, *d);
  EXPECT_EQ(a->ToString(), "550e8400-e29b-41d4-a716-446655440000");
  EXPECT_FALSE(PointId::ParseUuid("42"));
  EXPECT_FALSE(PointId::ParseUuid("550e8400-e29b-41d4-a716-44665544000g"));
}

TEST(PointIdTest, NumbersOrderBeforeUuids) {
  auto u = *PointId::ParseUuid("00000000-0000-0000-0000-000000000001");
  EXPECT_LT(PointId::Num(~0ull), u);
  EXPECT_LT(PointId::Num(1), PointId::Num(2));
  EXPECT_EQ(PointId::Num(7).ToString(), "7");
}

}  // namespace quiver::engine
