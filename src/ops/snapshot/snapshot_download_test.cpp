#include "ops/snapshot/snapshot_download.h"

#include <gtest/gtest.h>

namespace quiver::ops {
namespace {

TEST(SnapshotDownloadTest, UrlHost) {
  EXPECT_EQ(UrlHost("http://Example.COM:8080/a.snapshot").value(), "example.com");
  EXPECT_EQ(UrlHost("https://bucket.s3.amazonaws.com/k?X-Amz-Signature=abc").value(),
            "bucket.s3.amazonaws.com");
  EXPECT_EQ(UrlHost("http://[::1]:6333/x").value(), "::1");
  EXPECT_EQ(UrlHost("http://user:pw@10.0.0.5/x").value(), "10.0.0.5");
  EXPECT_EQ(UrlHost("ftp://example.com/x").status().code(), base::StatusCode::kBadRequest);
  EXPECT_EQ(UrlHost("file:///etc/passwd").status().code(), base::StatusCode::kBadRequest);
  EXPECT_FALSE(UrlHost("http://").ok());
  EXPECT_FALSE(UrlHost("not a url").ok());
}

TEST(SnapshotDownloadTest, HostAllowList) {
  EXPECT_TRUE(HostAllowed("anything.example", {}));
  const std::vector<std::string> allowed = {"a.example", "*.b.example", "10.0.0.5"};
  EXPECT_TRUE(HostAllowed("a.example", allowed));
  EXPECT_TRUE(HostAllowed("A.Example", allowed));
  EXPECT_FALSE(HostAllowed("x.a.example", allowed));  // no wildcard for a.example
  EXPECT_TRUE(HostAllowed("x.b.example", allowed));
  EXPECT_TRUE(HostAllowed("y.x.b.example", allowed));
  EXPECT_FALSE(HostAllowed("b.example", allowed));  // "*." needs a subdomain
  EXPECT_FALSE(HostAllowed("evilb.example", allowed));
  EXPECT_FALSE(HostAllowed("b.example.evil", allowed));
  EXPECT_TRUE(HostAllowed("10.0.0.5", allowed));
  EXPECT_FALSE(HostAllowed("10.0.0.50", allowed));
  EXPECT_FALSE(HostAllowed("169.254.169.254", allowed));
}

TEST(SnapshotDownloadTest, RedactUrlDropsSecrets) {
  std::string r =
      RedactUrl("https://u:secret@bucket.s3.amazonaws.com/k.snapshot?X-Amz-Signature=abc");
  EXPECT_EQ(r.find("secret"), std::string::npos);
  EXPECT_EQ(r.find("Signature"), std::string::npos);
  EXPECT_NE(r.find("bucket.s3.amazonaws.com/k.snapshot"), std::string::npos);
}

TEST(SnapshotDownloadTest, RefusedHostsAreNeverContacted) {
  DownloadOptions opt;
  opt.allowed_hosts = {"allowed.example"};
  base::Status st = DownloadToFile("http://127.0.0.1:1/x", "/tmp/quiver-dl-test", opt);
  EXPECT_EQ(st.code(), base::StatusCode::kForbidden);
  EXPECT_NE(st.message().find("127.0.0.1"), std::string::npos);
}

}  // namespace
}  // namespace quiver::ops
