#include "ops/ingest/json_text.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace quiver::ops::ingest {
namespace {

TEST(JsonText, EscapesStrings) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\nd\x01");
  EXPECT_EQ(out, R"("a\"b\\c\nd\u0001")");
  out.clear();
  AppendJsonString(out, "plain ünïcode");
  EXPECT_EQ(out, "\"plain ünïcode\"");
}

TEST(JsonText, JsonNumbers) {
  for (const char* ok : {"0", "-0", "1.5", "-12e3", "3E+2", "0.000001", "123456789"}) {
    EXPECT_TRUE(IsJsonNumber(ok)) << ok;
  }
  for (const char* bad :
       {"", "-", "01", "1.", ".5", "+1", "1e", "nan", "inf", "1e999", "1 ", "0x1"}) {
    EXPECT_FALSE(IsJsonNumber(bad)) << bad;
  }
  EXPECT_TRUE(IsJsonInt64("-9223372036854775808"));
  EXPECT_FALSE(IsJsonInt64("9223372036854775808"));
  EXPECT_FALSE(IsJsonInt64("1.0"));
  EXPECT_FALSE(IsJsonInt64("007"));
}

TEST(JsonText, ScansDenseVectors) {
  EXPECT_EQ(ScanDenseVector("[1, 2.5, -3e-2]").value(), 3u);
  EXPECT_EQ(ScanDenseVector(" [ 0 ] ").value(), 1u);
  EXPECT_EQ(ScanDenseVector("[]").status().message(), "vector is empty");
  EXPECT_EQ(ScanDenseVector("[1, \"a\"]").status().message(),
            "vector element 1 is not a finite number");
  EXPECT_FALSE(ScanDenseVector("[1, 2").ok());
  EXPECT_FALSE(ScanDenseVector("[1 2]").ok());
  EXPECT_FALSE(ScanDenseVector("[1,]").ok());
  EXPECT_FALSE(ScanDenseVector("{}").ok());
  EXPECT_FALSE(ScanDenseVector("[1] x").ok());
  EXPECT_FALSE(ScanDenseVector("[1e400]").ok());
}

TEST(JsonText, FloatsRoundTrip) {
  for (float v : {0.0f, -1.5f, 0.1f, 3.4028235e38f, 1e-45f, 0.33333334f}) {
    std::string out;
    AppendFloat(out, v);
    EXPECT_EQ(std::strtof(out.c_str(), nullptr), v) << out;
    EXPECT_TRUE(IsJsonNumber(out)) << out;
  }
}

}  // namespace
}  // namespace quiver::ops::ingest
