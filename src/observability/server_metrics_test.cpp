#include "observability/server_metrics.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "base/stats.h"
#include "observability/search_metrics.h"

namespace quiver::observability {
namespace {

bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

ServerSample TwoCollections() {
  ServerSample s;
  s.app_version = "1.19.0";
  s.commit = "abc123";
  s.volumes = {{"storage", "/"}, {"missing", "/no/such/dir"}};
  CollectionSample books;
  books.name = "books";
  books.points = 10;
  books.vector_names = {"", "title"};
  books.segments_by_state = {{"appendable", 1}, {"sealed", 2}};
  books.optimizations_queued = 2;
  books.optimizations_running = 1;
  books.status = "yellow";
  books.wal_bytes = 4096;
  CollectionSample empty;
  empty.name = "a\"b";
  s.collections = {books, empty};
  return s;
}

TEST(ServerMetricsTest, RendersQdrantFamiliesFirst) {
  RestMetrics rest;
  std::string out = RenderServerMetrics(TwoCollections(), rest, false);
  EXPECT_EQ(out.rfind("# HELP app_info information about qdrant server\n# TYPE app_info gauge\n"
                      "app_info{name=\"quiver\",version=\"1.19.0\"} 1\n",
                      0),
            0u);
  EXPECT_TRUE(Has(out, "\ncollections_total 2\n"));
  EXPECT_TRUE(Has(out, "\ncollections_vector_total 20\n"));
  EXPECT_TRUE(Has(out, "\ncollection_points{id=\"books\"} 10\n"));
  EXPECT_TRUE(Has(out, "\ncollection_points{id=\"a\\\"b\"} 0\n"));
  EXPECT_TRUE(Has(out, "\ncollection_vectors{collection=\"books\",vector=\"title\"} 10\n"));
  EXPECT_TRUE(Has(out, "\ncollection_running_optimizations{id=\"books\"} 1\n"));
  EXPECT_TRUE(Has(out, "\nsnapshot_creation_running{id=\"books\"} 0\n"));
  EXPECT_TRUE(Has(out, "\nsnapshot_recovery_running{id=\"books\"} 0\n"));
  EXPECT_TRUE(Has(out, "# TYPE snapshot_created_total counter\n"));
  EXPECT_TRUE(Has(out, "\napp_status_recovery_mode 0\n"));
  EXPECT_TRUE(Has(out, "\nprocess_cpu_seconds_total "));
  EXPECT_TRUE(Has(out, "\nmemory_resident_bytes "));
  EXPECT_TRUE(Has(out, "\nmemory_allocated_bytes "));
}

TEST(ServerMetricsTest, RendersQuiverFamilies) {
  RestMetrics rest;
  std::string out = RenderServerMetrics(TwoCollections(), rest, false);
  EXPECT_TRUE(Has(out, "quiver_build_info{version=\""));
  EXPECT_TRUE(Has(out, "commit=\"abc123\",qdrant_api=\"1.19.0\"} 1\n"));
  EXPECT_TRUE(Has(out, "quiver_collection_status{collection=\"books\",status=\"yellow\"} 1\n"));
  EXPECT_TRUE(Has(out, "quiver_collection_status{collection=\"books\",status=\"green\"} 0\n"));
  EXPECT_TRUE(Has(out, "quiver_segments{collection=\"books\",state=\"sealed\"} 2\n"));
  EXPECT_TRUE(Has(out, "quiver_segments{collection=\"books\",state=\"indexed\"} 0\n"));
  EXPECT_TRUE(Has(out, "quiver_optimizer_queue_length{collection=\"books\"} 2\n"));
  EXPECT_TRUE(Has(out, "quiver_optimizer_running_tasks{collection=\"books\"} 1\n"));
  EXPECT_TRUE(Has(out, "quiver_wal_size_bytes{collection=\"books\"} 4096\n"));
  EXPECT_TRUE(Has(out, "quiver_storage_disk_free_bytes{volume=\"storage\"} "));
  EXPECT_FALSE(Has(out, "volume=\"missing\""));
  EXPECT_TRUE(Has(out, "\nquiver_memory_limit_bytes "));
}

TEST(ServerMetricsTest, IncludesRegisteredStatsAndSearches) {
  ObserveSearch("books", "exact", 0.003);
  RestMetrics rest;
  std::string out = RenderServerMetrics(TwoCollections(), rest, false);
  EXPECT_TRUE(Has(out,
                  "quiver_search_duration_seconds_bucket{collection=\"books\",plan=\"exact\","
                  "le=\"0.005\"} 1\n"));
}

// Every sample line belongs to the family announced by the last TYPE line, and no family is
// announced twice: what Prometheus' parser requires.
TEST(ServerMetricsTest, FamiliesAreWellFormed) {
  RestMetrics rest;
  rest.Observe("GET", "/collections/{collection_name}", 200, 0.01, "books");
  std::string out = RenderServerMetrics(TwoCollections(), rest, true);
  std::istringstream in(out);
  std::string line, family;
  std::set<std::string> seen;
  while (std::getline(in, line)) {
    ASSERT_FALSE(line.empty());
    if (line.rfind("# TYPE ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
      ASSERT_TRUE(seen.insert(family).second) << "duplicate family " << family;
      continue;
    }
    if (line[0] == '#') continue;
    std::string name = line.substr(0, line.find_first_of("{ "));
    bool ok = name == family || name == family + "_bucket" || name == family + "_sum" ||
              name == family + "_count";
    ASSERT_TRUE(ok) << line << " under family " << family;
  }
  EXPECT_TRUE(Has(out, "collection=\"books\"} 1\n"));
}

}  // namespace
}  // namespace quiver::observability
