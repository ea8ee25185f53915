#include "ops/s3/s3_sigv4.h"

#include <gtest/gtest.h>

namespace quiver::ops::s3 {
namespace {

// AWS's published example "GET Object" (Amazon S3 API reference, "Examples: Signature Calculations
// in AWS Signature Version 4 — Authenticating Requests (AWS Signature Version 4)").
TEST(SigV4, AwsPublishedGetObjectExample) {
  SigningRequest r;
  r.method = "GET";
  r.canonical_uri = "/test.txt";
  r.region = "us-east-1";
  r.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  r.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  r.headers = {
      {"host", "examplebucket.s3.amazonaws.com"},
      {"range", "bytes=0-9"},
      {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"x-amz-date", "20130524T000000Z"}};
  EXPECT_EQ(AuthorizationHeader(r),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, HeadersSortByNameNotByLine) {
  // The libcurl 7.88 bug this signer avoids: a header whose name extends another's sorts after it.
  SigningRequest r;
  r.method = "POST";
  r.canonical_uri = "/b/k";
  r.canonical_query = "uploads=";
  r.headers = {{"x-amz-server-side-encryption-aws-kms-key-id", "alias/k"},
               {"x-amz-server-side-encryption", "aws:kms"},
               {"host", "h"},
               {"x-amz-date", "20261124T000000Z"},
               {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  const std::string cr = CanonicalRequest(r);
  EXPECT_LT(cr.find("x-amz-server-side-encryption:aws:kms"),
            cr.find("x-amz-server-side-encryption-aws-kms-key-id:alias/k"));
  EXPECT_NE(cr.find("\nuploads=\n"), std::string::npos);
}

TEST(SigV4, ValuesAreTrimmedAndSpacesCollapsed) {
  SigningRequest r;
  r.method = "GET";
  r.canonical_uri = "/root/object";
  r.headers = {{"host", "h"}, {"x-amz-meta-a", "  a   b  "}, {"x-amz-date", "20261124T000000Z"}};
  EXPECT_NE(CanonicalRequest(r).find("x-amz-meta-a:a b\n"), std::string::npos);
}

TEST(SigV4, AmzDate) { EXPECT_EQ(AmzDate(1795489200), "20261124T030000Z"); }

}  // namespace
}  // namespace quiver::ops::s3
