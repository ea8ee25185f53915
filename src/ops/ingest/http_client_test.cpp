#include "ops/ingest/http_client.h"

#include <gtest/gtest.h>

#include "ops/ingest/scroll_reader.h"

namespace quiver::ops::ingest {
namespace {

TEST(Backoff, GrowsExponentiallyWithJitterAndCap) {
  RetryPolicy p{10, 0.1, 2.0};
  std::mt19937_64 rng(42);
  for (int attempt = 0; attempt < 12; ++attempt) {
    double cap = std::min(2.0, 0.1 * (1 << attempt));
    for (int i = 0; i < 50; ++i) {
      double d = BackoffDelay(p, attempt, rng);
      EXPECT_GE(d, cap / 2) << attempt;
      EXPECT_LE(d, cap) << attempt;
    }
  }
  // Jitter: two clients with different seeds do not wait the same.
  std::mt19937_64 a(1), b(2);
  EXPECT_NE(BackoffDelay(p, 3, a), BackoffDelay(p, 3, b));
}

TEST(Backoff, RetryableStatuses) {
  for (long s : {408L, 429L, 500L, 502L, 503L, 504L}) EXPECT_TRUE(IsRetryableStatus(s)) << s;
  for (long s : {200L, 400L, 401L, 403L, 404L, 409L, 413L, 422L})
    EXPECT_FALSE(IsRetryableStatus(s)) << s;
}

TEST(Backoff, RetryAfter) {
  EXPECT_EQ(ParseRetryAfter("3", 0).value(), 3.0);
  EXPECT_EQ(ParseRetryAfter("0", 0).value(), 0.0);
  std::time_t now = 1445412480;  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", now).value(), 5.0);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now).value(), 0.0);
  EXPECT_FALSE(ParseRetryAfter("soon", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("", now).has_value());
}

TEST(Urls, RedactsCredentialsAndSplitsFrom) {
  EXPECT_EQ(RedactUrl("https://user:secret@host:6333/x"), "https://***@host:6333/x");
  EXPECT_EQ(RedactUrl("http://host:6333/a@b"), "http://host:6333/a@b");
  std::string base, collection;
  ASSERT_TRUE(SplitFromUrl("http://h:6333/books/", &base, &collection).ok());
  EXPECT_EQ(base, "http://h:6333");
  EXPECT_EQ(collection, "books");
  ASSERT_TRUE(SplitFromUrl("https://h/collections/books", &base, &collection).ok());
  EXPECT_EQ(base, "https://h");
  EXPECT_FALSE(SplitFromUrl("http://h:6333", &base, &collection).ok());
}

TEST(Urls, ErrorMessages) {
  HttpResponse r;
  r.status = 400;
  r.body = R"({"status":{"error":"Wrong input: Vector dimension error"},"time":0.1})";
  EXPECT_EQ(ErrorMessageOf(r), "Wrong input: Vector dimension error");
  r.status = 502;
  r.body = "Bad gateway\n";
  EXPECT_EQ(ErrorMessageOf(r), "HTTP 502: Bad gateway ");
}

TEST(Client, ConnectionRefusedIsRetriedThenGivesUp) {
  HttpEndpoint e;
  e.base_url = "http://127.0.0.1:1";  // nothing listens on port 1
  std::atomic<uint64_t> retries{0};
  RetryingClient c(e, RetryPolicy{3, 0.01, 0.02}, nullptr, &retries);
  auto r = c.Send("GET", "/", "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("gave up after 3 attempts"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(retries.load(), 2u);
}

}  // namespace
}  // namespace quiver::ops::ingest
