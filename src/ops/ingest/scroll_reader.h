// ScrollReader: the records of `--from URL/COLLECTION`, read page by page with
// POST /collections/NAME/points/scroll (with vectors and payloads). Each point object is passed
// through as a JSON record; the position is the next page's offset.
#pragma once

#include <memory>
#include <string>

#include "ops/ingest/http_client.h"
#include "ops/ingest/record_reader.h"

namespace quiver::ops::ingest {

// Splits "http://host:6333/COLLECTION" into the server URL and the collection name. Validation
// error when there is no collection part.
base::Status SplitFromUrl(const std::string& from, std::string* base_url, std::string* collection);

// Reads collection `collection` through `client` (owned). Fails when the collection cannot be
// counted (missing, unreachable).
base::Result<std::unique_ptr<RecordReader>> OpenScrollReader(std::unique_ptr<RetryingClient> client,
                                                             const std::string& collection);

}  // namespace quiver::ops::ingest
