#include "base/crc32c.h"

#include <gtest/gtest.h>

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

}  // namespace quiver::base
