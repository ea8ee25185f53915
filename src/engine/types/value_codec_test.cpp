#include "engine/types/value_codec.h"

#include <gtest/gtest.h>

namespace quiver::engine {

TEST(ValueCodecTest, RoundTrip) {
  Value v{Object{}};
  v.Set("s", Value("text"));
  v.Set("i", Value(int64_t{-5}));
  v.Set("d", Value(2.5));
  v.Set("b", Value(true));
  v.Set("n", Value());
  v.Set("a", Value(Array{Value(1), Value("x"), Value(Object{})}));
  base::ByteWriter w;
  EncodeValue(v, w);
  base::ByteReader r(w.data());
  Value back = DecodeValue(r);
  ASSERT_TRUE(r.AtEnd());
  EXPECT_EQ(back, v);
}

TEST(ValueCodecTest, TruncatedInputFailsCleanly) {
  Value v{Array{Value("abcdef"), Value(3.0)}};
  base::ByteWriter w;
  EncodeValue(v, w);
  for (size_t cut = 0; cut < w.data().size(); ++cut) {
    base::ByteReader r(std::string_view(w.data()).substr(0, cut));
    (void)DecodeValue(r);
    EXPECT_FALSE(r.AtEnd()) << "cut at " << cut;
  }
}

TEST(ValueCodecTest, HugeCountsAreRejectedWithoutAllocating) {
  std::string bytes = {static_cast<char>(Value::Type::kArray), '\xff', '\xff', '\xff', '\x7f'};
  base::ByteReader r(bytes);
  (void)DecodeValue(r);
  EXPECT_FALSE(r.ok());
}

}  // namespace quiver::engine
