// PointConverter: turns one raw record into the JSON of a Qdrant point,
// {"id":...,"vector":...,"payload":{...}}, validating what can be checked locally (ids, vector
// shape and dimensions, payload type) so that bad records are rejected without a round trip.
// Valid JSON vectors and payloads are passed through byte for byte. One converter per thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "ops/ingest/point_ids.h"
#include "ops/ingest/record_reader.h"

namespace quiver::ops::ingest {

// The dense vectors a collection accepts (from GET /collections/NAME).
struct VectorSchema {
  bool known = false;                                // false: dimensions are not checked
  std::optional<size_t> unnamed;                     // size of the single unnamed vector
  std::map<std::string, size_t, std::less<>> named;  // name -> size

  // BadInput with Qdrant-like wording when a dense vector `name` ("" = unnamed) of `dims` does
  // not fit the collection.
  base::Status Check(std::string_view name, size_t dims) const;
};

struct ConvertOptions {
  IdSpec id;
  UuidBytes id_namespace = DefaultIdNamespace();
  std::string vector_name;  // put unnamed input vectors under this name ("" = unnamed)
  VectorSchema schema;
};

// A payload field used to derive an id (--id field:NAME / uuid5:NAME).
struct KeyValue {
  enum class Kind { kMissing, kString, kUnsigned, kOther };
  Kind kind = Kind::kMissing;
  std::string text;  // the string's contents, or the JSON text of other values
};

// The JSON text of the point id for a record: `own_id` is the record's own id JSON ("" when it
// has none), `key` the payload field named by the spec. Format error naming the problem when no
// valid id can be made.
base::Result<std::string> MakePointId(const ConvertOptions& options, uint64_t number,
                                      std::string_view own_id, const KeyValue& key);

// Looks up a dotted path in a JSON object's text (a payload).
KeyValue LookupJsonField(std::string_view object_json, std::string_view dotted_path);

class PointConverter {
 public:
  virtual ~PointConverter() = default;
  // Appends the point JSON of `record` (whose bytes are in `batch.data`) to `out`. A non-ok Status
  // carries the reason a record is bad (and `out` is left unchanged).
  virtual base::Status Convert(const RawBatch& batch, const RawRecord& record,
                               std::string& out) = 0;
};

std::unique_ptr<PointConverter> MakeConverter(const RecordLayout& layout,
                                              const ConvertOptions& options);
std::unique_ptr<PointConverter> MakeJsonConverter(const ConvertOptions& options);
std::unique_ptr<PointConverter> MakeCsvConverter(const CsvSchema& schema,
                                                 const ConvertOptions& options);
std::unique_ptr<PointConverter> MakeDenseConverter(DType dtype, const ConvertOptions& options);

}  // namespace quiver::ops::ingest
