// CollectionAdmin: the collection-level calls of a load, over the documented Qdrant REST API:
// read the collection's configuration, create it (--create, or from the source of --from), create
// payload indexes (--index), defer and restore indexing (--bulk), and wait for `green`.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "ops/ingest/http_client.h"
#include "ops/ingest/point_converter.h"

namespace quiver::ops::ingest {

struct CollectionState {
  std::string status;  // green, yellow, grey or red
  uint64_t points_count = 0;
  VectorSchema schema;
  std::optional<uint64_t> indexing_threshold;  // optimizer_config.indexing_threshold
  std::string vectors_json;                    // config.params.vectors as JSON
  std::string sparse_vectors_json;  // config.params.sparse_vectors as JSON, "" when absent
  std::vector<std::pair<std::string, std::string>> payload_indexes;  // field, data_type
};

// Parses the body of GET /collections/NAME. Format error when it is not a collection info.
base::Result<CollectionState> ParseCollectionInfo(std::string_view body);

// The PUT /collections/NAME body for `--create size=384,distance=Cosine[,on_disk=true,...]`.
// Keys: size, distance, on_disk, datatype, name (a named vector), m, ef_construct,
// on_disk_payload, shard_number, replication_factor, indexing_threshold. Validation error naming
// the bad key otherwise.
base::Result<std::string> CreateBodyFromSpec(std::string_view spec, size_t* size_out);

// `--index field:type` to (field, field_schema JSON); the type is a Qdrant schema name
// (keyword, integer, float, bool, geo, datetime, text, uuid) or a JSON object of index params.
base::Result<std::pair<std::string, std::string>> ParseIndexSpec(std::string_view spec);

// Percent-encodes a path segment (collection names are user input).
std::string EncodePathSegment(std::string_view s);

class CollectionAdmin {
 public:
  CollectionAdmin(RetryingClient* client, std::string collection);

  // The collection's state, or nullopt when it does not exist (404).
  base::Result<std::optional<CollectionState>> Get();
  // Creates the collection; an existing one (409) is not an error.
  base::Status Create(const std::string& body);
  base::Status CreateIndex(const std::string& field, const std::string& schema_json);
  // PATCH optimizers_config.indexing_threshold.
  base::Status SetIndexingThreshold(uint64_t value);
  // Polls until the collection is green (nudging the optimizer when it is grey). Timeout error
  // after `timeout_sec`, Internal error when it turns red or `cancel` is set.
  base::Status WaitGreen(double timeout_sec, const std::atomic<bool>* cancel);
  // Exact point count.
  base::Result<uint64_t> Count();

  const std::string& path() const { return path_; }  // "/collections/<encoded name>"

 private:
  base::Result<HttpResponse> Call(std::string_view method, const std::string& path,
                                  std::string_view body);
  RetryingClient* client_;
  std::string collection_;
  std::string path_;
};

}  // namespace quiver::ops::ingest
