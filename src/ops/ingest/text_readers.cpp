// JSONL and CSV readers, and the reader factory.
#include <algorithm>
#include <cctype>

#include "ops/ingest/file_readers.h"
#include "ops/ingest/line_buffer.h"

namespace quiver::ops::ingest {
namespace {

bool Blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Line-oriented reader: one record per (logical) line, blank lines skipped.
class LineReader : public RecordReader {
 public:
  LineReader(std::unique_ptr<ByteSource> source, bool csv)
      : source_(std::move(source)), lines_(source_.get(), csv) {}

  base::Result<bool> Next(size_t max_records, size_t max_bytes, RawBatch& batch) override {
    batch.data.clear();
    batch.records.clear();
    while (batch.records.size() < max_records && batch.data.size() < max_bytes) {
      std::string_view line;
      uint64_t spanned = 0;
      auto more = lines_.Next(&line, &spanned);
      if (!more.ok()) return more.status();
      if (!more.value()) break;
      uint64_t number = line_count_ + 1;
      line_count_ += spanned;
      if (Blank(line)) continue;
      RawRecord rec;
      rec.number = number;
      rec.offset = static_cast<uint32_t>(batch.data.size());
      rec.size = static_cast<uint32_t>(line.size());
      batch.data.append(line);
      batch.records.push_back(rec);
    }
    batch.end.records = line_count_;
    batch.end.offset = lines_.offset();
    return !batch.records.empty();
  }

  base::Status Seek(const SourcePosition& position) override {
    if (position.offset <= lines_.offset()) return base::Status::Ok();  // e.g. only a CSV header
    QUIVER_RETURN_IF_ERROR(lines_.SkipTo(position.offset));
    line_count_ = position.records;
    return base::Status::Ok();
  }

  void SetCsvSchema(CsvSchema schema) {
    layout_.kind = RecordLayout::Kind::kCsv;
    layout_.csv = std::move(schema);
  }
  const RecordLayout& layout() const override { return layout_; }
  uint64_t progress_bytes() const override { return source_->raw_offset(); }
  std::optional<uint64_t> total_bytes() const override { return source_->raw_size(); }

 private:
  std::unique_ptr<ByteSource> source_;
  LineBuffer lines_;
  uint64_t line_count_ = 0;
  RecordLayout layout_;
};

}  // namespace

base::Result<std::unique_ptr<RecordReader>> OpenJsonlReader(std::unique_ptr<ByteSource> source) {
  return std::unique_ptr<RecordReader>(new LineReader(std::move(source), false));
}

base::Result<std::unique_ptr<RecordReader>> OpenCsvReader(std::unique_ptr<ByteSource> source,
                                                          const FileReaderOptions& options) {
  auto reader = std::make_unique<LineReader>(std::move(source), true);
  // The header is the first non-blank line.
  RawBatch header;
  auto got = reader->Next(1, 1, header);
  if (!got.ok()) return got.status();
  if (!got.value()) return base::Status::Format("the CSV input is empty (no header line)");
  auto schema = CsvSchema::FromHeader(header.data, options.delimiter, options.id_column,
                                      options.vector_column);
  if (!schema.ok()) return schema.status();
  reader->SetCsvSchema(std::move(schema.value()));
  return std::unique_ptr<RecordReader>(reader.release());
}

base::Result<InputFormat> ParseInputFormat(const std::string& text, char* delimiter) {
  if (text == "auto") return InputFormat::kAuto;
  if (text == "jsonl" || text == "ndjson") return InputFormat::kJsonl;
  if (text == "csv") return InputFormat::kCsv;
  if (text == "tsv") {
    *delimiter = '\t';
    return InputFormat::kCsv;
  }
  if (text == "npy") return InputFormat::kNpy;
  if (text == "fvecs") return InputFormat::kFvecs;
  return base::Status::Validation("--format must be auto, jsonl, csv, tsv, npy or fvecs, not `" +
                                  text + "`");
}

InputFormat FormatFromFileName(const std::string& path, char* delimiter) {
  std::string name = path;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  for (std::string_view ext : {".gz", ".gzip", ".zst", ".zstd"}) {
    if (EndsWith(name, ext)) {
      name.resize(name.size() - ext.size());
      break;
    }
  }
  if (EndsWith(name, ".jsonl") || EndsWith(name, ".ndjson") || EndsWith(name, ".json")) {
    return InputFormat::kJsonl;
  }
  if (EndsWith(name, ".csv")) return InputFormat::kCsv;
  if (EndsWith(name, ".tsv")) {
    *delimiter = '\t';
    return InputFormat::kCsv;
  }
  if (EndsWith(name, ".npy")) return InputFormat::kNpy;
  if (EndsWith(name, ".fvecs")) return InputFormat::kFvecs;
  return InputFormat::kAuto;
}

const char* FormatName(InputFormat format) {
  switch (format) {
    case InputFormat::kAuto:
      return "auto";
    case InputFormat::kJsonl:
      return "jsonl";
    case InputFormat::kCsv:
      return "csv";
    case InputFormat::kNpy:
      return "npy";
    case InputFormat::kFvecs:
      return "fvecs";
  }
  return "auto";
}

base::Result<std::unique_ptr<RecordReader>> OpenFileReader(const FileReaderOptions& options) {
  FileReaderOptions opts = options;
  if (opts.format == InputFormat::kAuto) {
    opts.format =
        opts.path == "-" ? InputFormat::kJsonl : FormatFromFileName(opts.path, &opts.delimiter);
  }
  if (opts.format == InputFormat::kAuto) {
    return base::Status::Validation("cannot tell the format of " + opts.path +
                                    " from its name; use --format jsonl|csv|tsv|npy|fvecs");
  }
  auto source = ByteSource::Open(opts.path);
  if (!source.ok()) return source.status();
  std::unique_ptr<ByteSource> payload;
  if (!opts.payload_path.empty()) {
    if (opts.format != InputFormat::kNpy && opts.format != InputFormat::kFvecs) {
      return base::Status::Validation("--payload applies to npy and fvecs inputs only");
    }
    auto p = ByteSource::Open(opts.payload_path);
    if (!p.ok()) return p.status();
    payload = std::move(p.value());
  }
  switch (opts.format) {
    case InputFormat::kJsonl:
      return OpenJsonlReader(std::move(source.value()));
    case InputFormat::kCsv:
      return OpenCsvReader(std::move(source.value()), opts);
    case InputFormat::kNpy:
      return OpenNpyReader(std::move(source.value()), std::move(payload));
    case InputFormat::kFvecs:
      return OpenFvecsReader(std::move(source.value()), std::move(payload));
    case InputFormat::kAuto:
      break;
  }
  return base::Status::Validation("unknown input format");
}

}  // namespace quiver::ops::ingest
