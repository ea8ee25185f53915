#include "wire/snapshots_wire.h"

#include <gtest/gtest.h>

namespace quiver::wire {
namespace {

TEST(SnapshotsWireTest, ParsesSnapshotRecover) {
  auto r = ParseSnapshotRecover(
      R"({"location":"file:///s/a.snapshot","priority":"replica","checksum":"ab","api_key":null})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().location, "file:///s/a.snapshot");
  EXPECT_EQ(r.value().priority, "replica");
  EXPECT_EQ(r.value().checksum, "ab");
  EXPECT_EQ(ParseSnapshotRecover(R"({"location":"x"})").value().priority, "snapshot");
  EXPECT_EQ(ParseSnapshotRecover(R"({})").status().code(), base::StatusCode::kFormat);
  EXPECT_EQ(ParseSnapshotRecover(R"({"location":1})").status().code(), base::StatusCode::kFormat);
  EXPECT_FALSE(ParseSnapshotRecover(R"({"location":"x","priority":"first"})").ok());
  EXPECT_FALSE(ParseSnapshotRecover(R"({"location":"x","extra":1})").ok());
}

TEST(SnapshotsWireTest, RendersDescriptions) {
  EXPECT_EQ(
      RenderSnapshotDescription({"a.snapshot", "2024-01-02T03:04:05", 7, "ff"}),
      R"({"name":"a.snapshot","creation_time":"2024-01-02T03:04:05","size":7,"checksum":"ff"})");
  EXPECT_EQ(RenderSnapshotList({{"b", "", 0, ""}}),
            R"([{"name":"b","creation_time":null,"size":0,"checksum":null}])");
}

}  // namespace
}  // namespace quiver::wire
