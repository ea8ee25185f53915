#include "api/multipart.h"

#include <gtest/gtest.h>

namespace quiver::api {
namespace {

TEST(MultipartTest, FindsTheNamedPart) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nabc\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\"a.snapshot\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\nbin\r\n--XyQ\r\n\r\n--XyZ--\r\n";
  auto p = FindMultipartPart("multipart/form-data; boundary=XyZ", body, "snapshot");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p.value().filename, "a.snapshot");
  EXPECT_EQ(p.value().data, "bin\r\n--XyQ\r\n");
  auto q = FindMultipartPart("multipart/form-data; boundary=\"XyZ\"", body, "other");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q.value().data, "abc");
}

TEST(MultipartTest, RejectsMissingFieldsAndMalformedBodies) {
  EXPECT_EQ(FindMultipartPart("application/json", "{}", "snapshot").status().code(),
            base::StatusCode::kBadRequest);
  EXPECT_FALSE(FindMultipartPart("multipart/form-data", "x", "snapshot").ok());
  EXPECT_FALSE(FindMultipartPart("multipart/form-data; boundary=b", "--b\r\nno end", "s").ok());
  std::string body = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--\r\n";
  EXPECT_FALSE(FindMultipartPart("multipart/form-data; boundary=b", body, "snapshot").ok());
}

}  // namespace
}  // namespace quiver::api
