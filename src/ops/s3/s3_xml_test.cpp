#include "ops/s3/s3_xml.h"

#include <gtest/gtest.h>

namespace quiver::ops::s3xml {
namespace {

TEST(S3Xml, ParsesS3Error) {
  auto e = ParseError(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
      "<Message>The specified bucket does not exist</Message><BucketName>b</BucketName>"
      "<RequestId>R1</RequestId></Error>");
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->code, "NoSuchBucket");
  EXPECT_EQ(e->message, "The specified bucket does not exist");
  EXPECT_EQ(e->request_id, "R1");
}

TEST(S3Xml, ParsesStsErrorResponse) {
  auto e = ParseError(
      "<ErrorResponse "
      "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
      "<Code>InvalidIdentityToken</Code><Message>bad &amp; expired</Message></Error>"
      "<RequestId>abc</RequestId></ErrorResponse>");
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->code, "InvalidIdentityToken");
  EXPECT_EQ(e->message, "bad & expired");
  EXPECT_EQ(e->request_id, "abc");
}

TEST(S3Xml, ErrorStatusMapsCodes) {
  auto st = ErrorStatus("GET s3://b/k", 404,
                        "<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>");
  EXPECT_EQ(st.code(), base::StatusCode::kNotFound);
  EXPECT_NE(st.message().find("NoSuchBucket"), std::string::npos);
  EXPECT_NE(st.message().find("GET s3://b/k"), std::string::npos);
  EXPECT_EQ(ErrorStatus("x", 403, "<Error><Code>AccessDenied</Code></Error>").code(),
            base::StatusCode::kForbidden);
  EXPECT_EQ(ErrorStatus("x", 403, "<Error><Code>SignatureDoesNotMatch</Code></Error>").code(),
            base::StatusCode::kForbidden);
  EXPECT_EQ(ErrorStatus("x", 500, "<Error><Code>InternalError</Code></Error>").code(),
            base::StatusCode::kInternal);
  // A body that is not XML (a proxy's HTML page) still gives a message with the HTTP status.
  auto html = ErrorStatus("x", 502, "<html><body>Bad gateway</body>");
  EXPECT_EQ(html.code(), base::StatusCode::kInternal);
  EXPECT_NE(html.message().find("HTTP 502"), std::string::npos);
  EXPECT_EQ(ErrorStatus("x", 404, "").code(), base::StatusCode::kNotFound);
  auto region = ErrorStatus("x", 301, "<Error><Code>PermanentRedirect</Code></Error>");
  EXPECT_NE(region.message().find("AWS_REGION"), std::string::npos);
}

TEST(S3Xml, ParsesListPage) {
  auto page = ParseListObjectsV2(
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
      "<Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>tok+/=</NextContinuationToken>"
      "<Contents><Key>p/a</Key><Size>10</Size><ETag>&quot;x&quot;</ETag></Contents>"
      "<Contents><Key>p/b &amp; c</Key><Size>0</Size></Contents></ListBucketResult>");
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "tok+/=");
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "p/a");
  EXPECT_EQ(page->objects[0].size, 10u);
  EXPECT_EQ(page->objects[1].key, "p/b & c");
}

TEST(S3Xml, EmptyListPage) {
  auto page =
      ParseListObjectsV2("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(page.ok());
  EXPECT_FALSE(page->truncated);
  EXPECT_TRUE(page->objects.empty());
}

TEST(S3Xml, RejectsMalformedListPages) {
  const char* bad[] = {
      "",
      "not xml",
      "<ListBucketResult>",             // unterminated
      "<Error><Code>x</Code></Error>",  // wrong root
      "<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>",
      "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",  // no token
      "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
      "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
      "<ListBucketResult><Contents><Key>k</Key><Size>99999999999999999999999</Size></Contents>"
      "</ListBucketResult>",
      "<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>",
  };
  for (const char* body : bad) {
    auto page = ParseListObjectsV2(body);
    EXPECT_FALSE(page.ok()) << body;
    if (!page.ok()) {
      EXPECT_EQ(page.status().code(), base::StatusCode::kCorruption) << body;
    }
  }
}

TEST(S3Xml, DtdEntitiesAreNotExpanded) {
  auto page = ParseListObjectsV2(
      "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><ListBucketResult><Contents><Key>&a;</Key><Size>1</Size>"
      "</Contents></ListBucketResult>");
  if (page.ok()) {
    ASSERT_EQ(page->objects.size(), 1u);
    EXPECT_EQ(page->objects[0].key, "&a;");
  }
}

TEST(S3Xml, DeepNestingAndHugeInputAreRefused) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  EXPECT_FALSE(ParseListObjectsV2(deep).ok());
  std::string huge = "<ListBucketResult>" + std::string(kMaxXmlBytes, ' ') + "</ListBucketResult>";
  auto r = ParseListObjectsV2(huge);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("16 MiB"), std::string::npos);
}

TEST(S3Xml, MultipartDocuments) {
  auto id = ParseInitiateMultipartUpload(
      "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u-1</UploadId>"
      "</InitiateMultipartUploadResult>");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "u-1");
  EXPECT_FALSE(ParseInitiateMultipartUpload("<InitiateMultipartUploadResult/>").ok());
  EXPECT_TRUE(
      ParseCompleteMultipartUpload(
          "<CompleteMultipartUploadResult><ETag>\"e-2\"</ETag></CompleteMultipartUploadResult>")
          .ok());
  // S3 may answer 200 with an <Error> body.
  auto err = ParseCompleteMultipartUpload("<Error><Code>InternalError</Code></Error>");
  EXPECT_FALSE(err.ok());
  EXPECT_NE(err.message().find("InternalError"), std::string::npos);
  EXPECT_FALSE(ParseCompleteMultipartUpload("<Other/>").ok());
  EXPECT_EQ(BuildCompleteMultipartUpload({"\"a\"", "b<&"}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag>"
            "</Part><Part><PartNumber>2</PartNumber><ETag>b&lt;&amp;</ETag></Part>"
            "</CompleteMultipartUpload>");
}

TEST(S3Xml, AssumeRoleWithWebIdentity) {
  auto c = ParseAssumeRoleWithWebIdentity(
      "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
      "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIA1</AccessKeyId>"
      "<SecretAccessKey>s3cr3t</SecretAccessKey><SessionToken>tok</SessionToken>"
      "<Expiration>2026-11-24T03:00:00Z</Expiration></Credentials></"
      "AssumeRoleWithWebIdentityResult>"
      "</AssumeRoleWithWebIdentityResponse>");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "ASIA1");
  EXPECT_EQ(c->secret_access_key, "s3cr3t");
  EXPECT_EQ(c->session_token, "tok");
  EXPECT_EQ(c->expiration_unix, 1795489200);
  EXPECT_FALSE(
      ParseAssumeRoleWithWebIdentity(
          "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
          "<AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken>T"
          "</SessionToken><Expiration>soon</Expiration></Credentials>"
          "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>")
          .ok());
  EXPECT_FALSE(ParseAssumeRoleWithWebIdentity("<AssumeRoleWithWebIdentityResponse/>").ok());
}

TEST(S3Xml, Iso8601) {
  EXPECT_EQ(ParseIso8601Utc("1970-01-01T00:00:00Z").value(), 0);
  EXPECT_EQ(ParseIso8601Utc("2026-11-24T03:00:00.123Z").value(), 1795489200);
  EXPECT_FALSE(ParseIso8601Utc("2026-11-24T03:00:00").ok());
  EXPECT_FALSE(ParseIso8601Utc("2026-13-24T03:00:00Z").ok());
  EXPECT_FALSE(ParseIso8601Utc("2026-11-24T03:00:00.Z1").ok());
  EXPECT_FALSE(ParseIso8601Utc("+026-11-24T03:00:00Z").ok());
  EXPECT_FALSE(ParseIso8601Utc("").ok());
}

}  // namespace
}  // namespace quiver::ops::s3xml

namespace quiver::ops::s3xml {
namespace {

TEST(S3Xml, ListMultipartUploads) {
  auto page = ParseListMultipartUploads(
      "<ListMultipartUploadsResult><Bucket>b</Bucket><IsTruncated>true</IsTruncated>"
      "<NextKeyMarker>p/b</NextKeyMarker><NextUploadIdMarker>u2</NextUploadIdMarker>"
      "<Upload><Key>p/a</Key><UploadId>u1</UploadId><Initiated>2026-11-24T03:00:00.000Z</Initiated>"
      "</Upload></ListMultipartUploadsResult>");
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_key_marker, "p/b");
  ASSERT_EQ(page->uploads.size(), 1u);
  EXPECT_EQ(page->uploads[0].upload_id, "u1");
  EXPECT_EQ(page->uploads[0].initiated_unix, 1795489200);
  EXPECT_FALSE(ParseListMultipartUploads("<ListMultipartUploadsResult><Upload><Key>k</Key></Upload>"
                                         "</ListMultipartUploadsResult>")
                   .ok());
  EXPECT_FALSE(
      ParseListMultipartUploads("<ListMultipartUploadsResult><IsTruncated>true</IsTruncated>"
                                "</ListMultipartUploadsResult>")
          .ok());
  EXPECT_FALSE(ParseListMultipartUploads(
                   "<ListMultipartUploadsResult><Upload><Key>k</Key><UploadId>u</UploadId>"
                   "<Initiated>yesterday</Initiated></Upload></ListMultipartUploadsResult>")
                   .ok());
}

}  // namespace
}  // namespace quiver::ops::s3xml
