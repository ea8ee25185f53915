#include "observability/rest_metrics.h"

#include <gtest/gtest.h>

namespace quiver::observability {
namespace {

bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(RestMetricsTest, CountsAndBuckets) {
  RestMetrics m;
  std::string empty;
  m.Render(empty);
  EXPECT_TRUE(empty.empty());  // families with no samples are not emitted
  m.Observe("GET", "/collections", 200, 0.003);
  m.Observe("GET", "/collections", 200, 0.2);
  std::string out;
  m.Render(out);
  EXPECT_TRUE(
      Has(out, "rest_responses_total{method=\"GET\",endpoint=\"/collections\",status=\"200\"} 2"));
  EXPECT_TRUE(Has(out, "le=\"0.005\"} 1"));
  EXPECT_TRUE(Has(out, "le=\"0.5\"} 2"));
  EXPECT_TRUE(Has(out, "le=\"+Inf\"} 2"));
  EXPECT_TRUE(Has(out,
                  "rest_responses_duration_seconds_count{method=\"GET\",endpoint=\"/"
                  "collections\",status=\"200\"} 2"));
}

TEST(RestMetricsTest, TimesOnlySuccessfulResponsesAsQdrant) {
  RestMetrics m;
  m.Observe("PUT", "/collections/{collection_name}", 400, 0.001);
  std::string out;
  m.Render(out);
  EXPECT_TRUE(Has(out, "status=\"400\"} 1"));
  EXPECT_FALSE(Has(out, "rest_responses_duration_seconds"));
}

TEST(RestMetricsTest, PerCollectionAddsTheLabelAndDropsTheGlobalSeries) {
  RestMetrics m;
  const std::string ep = "/collections/{collection_name}/points/query";
  m.Observe("POST", ep, 200, 0.002, "a");
  m.Observe("POST", ep, 200, 0.002, "b");
  m.Observe("POST", ep, 200, 0.002, "b");
  m.Observe("POST", ep, 404, 0.001, "nope");  // no label for a missing collection
  m.Observe("GET", "/collections", 200, 0.001);
  std::string global;
  m.Render(global);
  EXPECT_TRUE(Has(global, "endpoint=\"" + ep + "\",status=\"200\"} 3\n"));
  EXPECT_FALSE(Has(global, "collection=\""));
  std::string per;
  m.Render(per, true);
  EXPECT_TRUE(Has(per, "endpoint=\"" + ep + "\",status=\"200\",collection=\"a\"} 1\n"));
  EXPECT_TRUE(Has(per, "endpoint=\"" + ep + "\",status=\"200\",collection=\"b\"} 2\n"));
  EXPECT_FALSE(Has(per, "endpoint=\"" + ep + "\",status=\"200\"} 3"));
  EXPECT_FALSE(Has(per, "nope"));
  EXPECT_TRUE(Has(per, "endpoint=\"/collections\",status=\"200\"} 1\n"));
}

TEST(RestMetricsTest, CapsDistinctCollections) {
  RestMetrics m;
  for (size_t i = 0; i < RestMetrics::kMaxCollections + 5; ++i) {
    std::string name = "c";
    name += std::to_string(i);  // (not "c" + ...: g++ 12 warns falsely on that)
    m.Observe("GET", "/collections/{collection_name}", 200, 0.001, name);
  }
  std::string per;
  m.Render(per, true);
  EXPECT_TRUE(Has(per, "collection=\"c999\""));
  EXPECT_FALSE(Has(per, "collection=\"c1000\""));
  EXPECT_TRUE(Has(per, "status=\"200\"} 5\n"));  // the overflow, without a collection label
}

TEST(TextFormatTest, EscapesLabelsAndFormatsNumbers) {
  EXPECT_EQ(EscapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(40000), "40000");
  EXPECT_EQ(FormatValue(1.0 / 0.0), "+Inf");
}

TEST(TextFormatTest, RendersRegistrySnapshots) {
  base::StatsRegistry r;
  r.Counter("quiver_x_total", "x").With({}).Inc(2);
  r.Counter("quiver_unused_total", "no samples yet, but no labels: rendered as 0");
  r.Counter("quiver_labelled_total", "no samples and labels: skipped", {"collection"});
  r.Histogram("quiver_h_seconds", "h", {0.5, 1}, {"plan"}).With({"exact"}).Observe(0.7);
  std::string out;
  AppendStats(out, r.Snapshot());
  EXPECT_TRUE(Has(out, "# TYPE quiver_x_total counter\nquiver_x_total 2\n"));
  EXPECT_TRUE(Has(out, "quiver_unused_total 0\n"));
  EXPECT_FALSE(Has(out, "quiver_labelled_total"));
  EXPECT_TRUE(Has(out, "# TYPE quiver_h_seconds histogram\n"));
  EXPECT_TRUE(Has(out, "quiver_h_seconds_bucket{plan=\"exact\",le=\"0.5\"} 0\n"));
  EXPECT_TRUE(Has(out, "quiver_h_seconds_bucket{plan=\"exact\",le=\"1\"} 1\n"));
  EXPECT_TRUE(Has(out, "quiver_h_seconds_bucket{plan=\"exact\",le=\"+Inf\"} 1\n"));
  EXPECT_TRUE(Has(out, "quiver_h_seconds_sum{plan=\"exact\"} 0.7\n"));
  EXPECT_TRUE(Has(out, "quiver_h_seconds_count{plan=\"exact\"} 1\n"));
}

}  // namespace
}  // namespace quiver::observability
