#include "api/router.h"

#include <gtest/gtest.h>

namespace quiver::api {

TEST(RouterTest, MatchesTemplatesAndMethods) {
  Router r;
  int hit = 0;
  r.Add("POST", "/collections/aliases", [&](std::shared_ptr<Call>) { hit = 1; });
  r.Add("GET", "/collections/{collection_name}", [&](std::shared_ptr<Call>) { hit = 2; });
  r.Add("GET", "/collections/{collection_name}/points/{id}",
        [&](std::shared_ptr<Call>) { hit = 3; });
  std::map<std::string, std::string> params;
  auto m = r.Find("GET", "/collections/books", params);
  ASSERT_NE(m.handler, nullptr);
  (*m.handler)(nullptr);
  EXPECT_EQ(hit, 2);
  EXPECT_EQ(params["collection_name"], "books");
  EXPECT_EQ(m.path_template, "/collections/{collection_name}");
  m = r.Find("GET", "/collections/books/points/42", params);
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(params["id"], "42");
  m = r.Find("DELETE", "/collections/books", params);
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_TRUE(m.path_matched);
  m = r.Find("GET", "/collections//points/7", params);  // empty parameter, refused by the handler
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(params["collection_name"], "");
  m = r.Find("GET", "/nothing/here", params);
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_FALSE(m.path_matched);
}

TEST(CallTest, QueryParameters) {
  net::HttpRequest req;
  req.query = "wait=true&name=a%20b&flag";
  Call call(std::move(req), [](net::HttpResponse) {});
  EXPECT_EQ(call.Query("name").value(), "a b");
  EXPECT_TRUE(call.QueryBool("wait", false).value());
  EXPECT_TRUE(call.QueryBool("flag", false).value());
  EXPECT_FALSE(call.QueryBool("missing", false).value());
  net::HttpRequest bad;
  bad.query = "wait=maybe";
  Call bad_call(std::move(bad), [](net::HttpResponse) {});
  EXPECT_FALSE(bad_call.QueryBool("wait", false).ok());
}

}  // namespace quiver::api
