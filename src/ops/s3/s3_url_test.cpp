#include "ops/s3/s3_url.h"

#include <gtest/gtest.h>

namespace quiver::ops::s3 {
namespace {

TEST(S3Url, ParsesBucketAndPrefix) {
  auto a = ParseS3Url("s3://my-bucket");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->bucket, "my-bucket");
  EXPECT_EQ(a->prefix, "");
  auto b = ParseS3Url("s3://my.bucket/backups/prod");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->bucket, "my.bucket");
  EXPECT_EQ(b->prefix, "backups/prod/");
  auto c = ParseS3Url("s3://bkt/x/");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->prefix, "x/");
  EXPECT_EQ(ParseS3Url("s3://bkt/")->prefix, "");
}

TEST(S3Url, RejectsBadUrls) {
  for (const char* url :
       {"", "http://b/x", "s3://", "s3://AB", "s3://ab", "s3://-abc", "s3://a_b_c", "s3://bkt/../x",
        "s3://bkt/a//b", "s3://bkt//a", "s3://bkt/./a", "s3://bkt/a?x=1", "s3://user:pw@bkt/x"}) {
    auto r = ParseS3Url(url);
    EXPECT_FALSE(r.ok()) << url;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), base::StatusCode::kBadInput);
    }
  }
}

TEST(S3Url, UriEncode) {
  EXPECT_EQ(UriEncode("a-b_c.d~e", false), "a-b_c.d~e");
  EXPECT_EQ(UriEncode("a b/c+d=é", false), "a%20b%2Fc%2Bd%3D%C3%A9");
  EXPECT_EQ(UriEncode("dir/file name", true), "dir/file%20name");
}

TEST(S3Url, CanonicalQuerySortsAndAlwaysHasEquals) {
  EXPECT_EQ(CanonicalQuery({}), "");
  EXPECT_EQ(CanonicalQuery({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(CanonicalQuery({{"uploadId", "a/b+c"}, {"partNumber", "2"}}),
            "partNumber=2&uploadId=a%2Fb%2Bc");
  EXPECT_EQ(
      CanonicalQuery(
          {{"prefix", "p/"}, {"list-type", "2"}, {"continuation-token", "t=="}, {"max-keys", "5"}}),
      "continuation-token=t%3D%3D&list-type=2&max-keys=5&prefix=p%2F");
  // Sorted by the encoded key (byte order: upper case before lower case).
  EXPECT_EQ(CanonicalQuery({{"b", "1"}, {"B", "2"}, {"a", "3"}}), "B=2&a=3&b=1");
}

TEST(S3Url, Endpoints) {
  auto aws = ResolveEndpoint("", "eu-west-1", "bkt", false, false);
  ASSERT_TRUE(aws.ok());
  EXPECT_EQ(aws->base, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_FALSE(aws->path_style);
  EXPECT_EQ(RequestUrl(*aws, "bkt", "p/a b", {}), "https://bkt.s3.eu-west-1.amazonaws.com/p/a%20b");
  EXPECT_TRUE(ResolveEndpoint("", "eu-west-1", "my.bkt", false, false)->path_style);
  EXPECT_TRUE(ResolveEndpoint("", "eu-west-1", "bkt", true, false)->path_style);

  auto custom = ResolveEndpoint("http://127.0.0.1:4568/", "us-east-1", "bkt", false, false);
  ASSERT_TRUE(custom.ok());
  EXPECT_TRUE(custom->path_style);
  EXPECT_EQ(RequestUrl(*custom, "bkt", "k", {{"uploads", ""}}),
            "http://127.0.0.1:4568/bkt/k?uploads=");
  EXPECT_EQ(RequestUrl(*custom, "bkt", "", {{"list-type", "2"}}),
            "http://127.0.0.1:4568/bkt/?list-type=2");
  auto vhost = ResolveEndpoint("https://minio.local:9000", "us-east-1", "bkt", false, true);
  ASSERT_TRUE(vhost.ok());
  EXPECT_EQ(RequestUrl(*vhost, "bkt", "k", {}), "https://bkt.minio.local:9000/k");

  for (const char* bad :
       {"ftp://x", "127.0.0.1:9000", "http://", "http://u:p@host", "http://h/path"}) {
    EXPECT_FALSE(ResolveEndpoint(bad, "r", "bkt", false, false).ok()) << bad;
  }
}

TEST(S3Url, SafeRelativeKeys) {
  EXPECT_TRUE(IsSafeRelativeKey("2026-11-24T01-30-00Z/MANIFEST.json"));
  for (const char* bad : {"", "/abs", "a/../b", "..", "./a", "a//b", "a/", "a\nb", "a\x01"}) {
    EXPECT_FALSE(IsSafeRelativeKey(bad)) << bad;
  }
}

}  // namespace
}  // namespace quiver::ops::s3
