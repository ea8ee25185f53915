#include "observability/rest_metrics.h"

#include <gtest/gtest.h>

namespace quiver::observability {

TEST(RestMetricsTest, CountsAndBuckets) {
  RestMetrics m;
  std::string empty;
  m.Render(empty);
  EXPECT_TRUE(empty.empty());  // families with no samples are not emitted
  m.Observe("GET", "/collections", 200, 0.003);
  m.Observe("GET", "/collections", 200, 0.2);
  std::string out;
  m.Render(out);
  EXPECT_NE(
      out.find("rest_responses_total{method=\"GET\",endpoint=\"/collections\",status=\"200\"} 2"),
      std::string::npos);
  EXPECT_NE(out.find("le=\"0.005\"} 1"), std::string::npos);
  EXPECT_NE(out.find("le=\"0.5\"} 2"), std::string::npos);
  EXPECT_NE(out.find("le=\"+Inf\"} 2"), std::string::npos);
  EXPECT_NE(out.find("rest_responses_duration_seconds_count{method=\"GET\",endpoint=\"/"
                     "collections\",status=\"200\"} 2"),
            std::string::npos);
}

TEST(RestMetricsTest, EscapesLabels) { EXPECT_EQ(EscapeLabel("a\"b\\c"), "a\\\"b\\\\c"); }

}  // namespace quiver::observability
