#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <random>

namespace quiver::base {

TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);  // the standard CRC-32C check value
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);  // RFC 3720 B.4
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::string s = "hello, quiver write-ahead log";
  uint32_t a = Crc32c(s);
  uint32_t b = Crc32c(Crc32c(0, s.data(), 10), s.data() + 10, s.size() - 10);
  EXPECT_EQ(a, b);
}

TEST(Crc32cTest, HardwareAndPortableAgree) {
  std::mt19937 rng(7);
  std::string buf(4099, '\0');
  for (auto& c : buf) c = static_cast<char>(rng());
  EXPECT_EQ(Crc32cPortable(0, "123456789", 9), 0xE3069283u);
  for (size_t len : {0, 1, 7, 8, 9, 15, 16, 63, 64, 1000, 4099}) {
    for (size_t off : {0, 1, 3}) {
      if (off + len > buf.size()) continue;
      uint32_t want = Crc32cPortable(0, buf.data() + off, len);
      EXPECT_EQ(Crc32c(0, buf.data() + off, len), want) << len << " at " << off;
      // Chained in two parts, with a non-zero starting value.
      size_t half = len / 2;
      EXPECT_EQ(Crc32c(Crc32c(0, buf.data() + off, half), buf.data() + off + half, len - half),
                want);
    }
  }
}

}  // namespace quiver::base
