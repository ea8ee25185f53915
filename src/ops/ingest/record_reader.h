// RecordReader: splits an input into raw records (JSONL lines, CSV rows, NPY/fvecs rows, scrolled
// points) grouped into batches, and knows its position for resuming. Conversion of a raw record to
// a Qdrant point happens later, in parallel (point_converter.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "ops/ingest/csv_format.h"
#include "ops/ingest/npy_format.h"

namespace quiver::ops::ingest {

enum class InputFormat { kAuto, kJsonl, kCsv, kNpy, kFvecs };

// Parses "auto", "jsonl", "csv", "tsv" (CSV with tabs), "npy", "fvecs". Validation error otherwise.
base::Result<InputFormat> ParseInputFormat(const std::string& text, char* delimiter);
// The format implied by a file name's extension (".jsonl.gz" is JSONL); kAuto when unknown.
InputFormat FormatFromFileName(const std::string& path, char* delimiter);
const char* FormatName(InputFormat format);

// Where the next unread record starts; saved in checkpoints.
struct SourcePosition {
  uint64_t records = 0;        // lines (JSONL, CSV), rows (NPY, fvecs) or points (scroll) consumed
  uint64_t offset = 0;         // decompressed bytes of the input consumed
  uint64_t payload_lines = 0;  // lines of the NPY/fvecs payload file consumed
  uint64_t payload_offset = 0;
  std::string scroll_offset;  // JSON of the next scroll page's offset; "" before the first page
  bool scroll_done = false;
};

struct RawRecord {
  uint64_t number = 0;  // 1-based line (JSONL, CSV), row (NPY, fvecs) or point ordinal (scroll)
  uint32_t offset = 0;  // the record's bytes in RawBatch::data
  uint32_t size = 0;
  uint32_t payload_offset = 0;  // the payload line (NPY, fvecs with --payload)
  uint32_t payload_size = 0;
  bool missing_payload = false;  // a payload file was given but has no line for this row
};

struct RawBatch {
  uint64_t seq = 0;  // 0, 1, 2, ... in input order
  std::string data;
  std::vector<RawRecord> records;
  SourcePosition end;           // the position after this batch
  uint64_t progress_bytes = 0;  // RecordReader::progress_bytes() after this batch was read
};

// What a converter needs to know about the records a reader produces.
struct RecordLayout {
  enum class Kind { kJson, kCsv, kDense };
  Kind kind = Kind::kJson;
  CsvSchema csv;              // kCsv
  DType dtype = DType::kF32;  // kDense: element type of the record bytes
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;

  // Fills `batch` (its data and records are cleared first) with the next records: at most
  // `max_records`, stopping once their bytes reach `max_bytes`. Returns false when the input has
  // no more records (batch.end is still valid). Corruption/Format errors are fatal input errors
  // (a damaged compressed stream, an unterminated CSV quote at the end of the file, ...).
  virtual base::Result<bool> Next(size_t max_records, size_t max_bytes, RawBatch& batch) = 0;

  // Moves to a position saved from an earlier batch.end; call before the first Next.
  virtual base::Status Seek(const SourcePosition& position) = 0;

  virtual const RecordLayout& layout() const = 0;
  // Progress: bytes of the underlying input consumed, and its size when known.
  virtual uint64_t progress_bytes() const = 0;
  virtual std::optional<uint64_t> total_bytes() const { return std::nullopt; }
  // Number of records in the input, when known up front (NPY, plain fvecs, a scrolled collection).
  virtual std::optional<uint64_t> total_records() const { return std::nullopt; }
};

struct FileReaderOptions {
  std::string path;  // "-" = stdin
  InputFormat format = InputFormat::kAuto;
  std::string payload_path;  // NPY/fvecs: JSONL file with one payload object per row
  char delimiter = ',';
  std::string id_column = "id";
  std::string vector_column = "vector";
};

// Opens a file reader; NotFound/Validation/Format errors describe what is wrong with the input.
base::Result<std::unique_ptr<RecordReader>> OpenFileReader(const FileReaderOptions& options);

}  // namespace quiver::ops::ingest
