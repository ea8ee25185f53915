// NPY and fvecs readers: fixed-size rows of little-endian floats, optionally paired line by line
// with a JSONL payload file.
#include <cstring>
#include <vector>

#include "ops/ingest/file_readers.h"
#include "ops/ingest/line_buffer.h"

namespace quiver::ops::ingest {
namespace {

// Exact-size reads over a ByteSource through a buffer.
class ExactReader {
 public:
  explicit ExactReader(ByteSource* source) : source_(source), buf_(1 << 20) {}
  // Reads `n` bytes; returns how many were available before the end of input.
  base::Result<size_t> Read(char* out, size_t n) {
    size_t done = 0;
    while (done < n) {
      if (pos_ == end_) {
        auto r = source_->Read(buf_.data(), buf_.size());
        if (!r.ok()) return r.status();
        if (r.value() == 0) break;
        pos_ = 0;
        end_ = r.value();
      }
      size_t take = std::min(n - done, end_ - pos_);
      std::memcpy(out + done, buf_.data() + pos_, take);
      pos_ += take;
      done += take;
    }
    offset_ += done;
    return done;
  }
  base::Status Skip(uint64_t n) {
    size_t buffered = end_ - pos_;
    if (n <= buffered) {
      pos_ += n;
    } else {
      pos_ = end_ = 0;
      QUIVER_RETURN_IF_ERROR(source_->Skip(n - buffered));
    }
    offset_ += n;
    return base::Status::Ok();
  }
  uint64_t offset() const { return offset_; }

 private:
  ByteSource* source_;
  std::vector<char> buf_;
  size_t pos_ = 0;
  size_t end_ = 0;
  uint64_t offset_ = 0;
};

// Shared by both readers: row bytes into the batch, the matching payload line next to them.
class RowReader : public RecordReader {
 public:
  RowReader(std::unique_ptr<ByteSource> source, std::unique_ptr<ByteSource> payload, DType dtype)
      : source_(std::move(source)), payload_source_(std::move(payload)), in_(source_.get()) {
    if (payload_source_) payload_ = std::make_unique<LineBuffer>(payload_source_.get());
    layout_.kind = RecordLayout::Kind::kDense;
    layout_.dtype = dtype;
  }

  base::Result<bool> Next(size_t max_records, size_t max_bytes, RawBatch& batch) override {
    batch.data.clear();
    batch.records.clear();
    while (batch.records.size() < max_records && batch.data.size() < max_bytes) {
      RawRecord rec;
      rec.offset = static_cast<uint32_t>(batch.data.size());
      auto got = ReadRow(batch.data);
      if (!got.ok()) return got.status();
      if (!got.value()) break;
      rec.size = static_cast<uint32_t>(batch.data.size() - rec.offset);
      rec.number = ++rows_;
      if (payload_) {
        std::string_view line;
        uint64_t spanned = 0;
        auto more = payload_done_ ? base::Result<bool>(false) : payload_->Next(&line, &spanned);
        if (!more.ok()) return more.status();
        if (!more.value()) {
          payload_done_ = true;
          rec.missing_payload = true;
        } else {
          ++payload_lines_;
          rec.payload_offset = static_cast<uint32_t>(batch.data.size());
          rec.payload_size = static_cast<uint32_t>(line.size());
          batch.data.append(line);
        }
      }
      batch.records.push_back(rec);
    }
    batch.end.records = rows_;
    batch.end.offset = in_.offset();
    batch.end.payload_lines = payload_lines_;
    batch.end.payload_offset = payload_ ? payload_->offset() : 0;
    return !batch.records.empty();
  }

  base::Status Seek(const SourcePosition& position) override {
    if (position.offset > in_.offset())
      QUIVER_RETURN_IF_ERROR(in_.Skip(position.offset - in_.offset()));
    rows_ = position.records;
    if (payload_) {
      QUIVER_RETURN_IF_ERROR(payload_->SkipTo(position.payload_offset));
      payload_lines_ = position.payload_lines;
    }
    return base::Status::Ok();
  }

  const RecordLayout& layout() const override { return layout_; }
  uint64_t progress_bytes() const override { return source_->raw_offset(); }
  std::optional<uint64_t> total_bytes() const override { return source_->raw_size(); }

 protected:
  // Appends the next row's element bytes to `out`; false at the end of the input.
  virtual base::Result<bool> ReadRow(std::string& out) = 0;

  std::unique_ptr<ByteSource> source_;
  std::unique_ptr<ByteSource> payload_source_;
  ExactReader in_;
  std::unique_ptr<LineBuffer> payload_;
  bool payload_done_ = false;
  uint64_t rows_ = 0;
  uint64_t payload_lines_ = 0;
  RecordLayout layout_;
};

class NpyReader : public RowReader {
 public:
  NpyReader(std::unique_ptr<ByteSource> source, std::unique_ptr<ByteSource> payload)
      : RowReader(std::move(source), std::move(payload), DType::kF32) {}

  base::Status ReadHeader() {
    std::string head(kNpyPreambleSize, '\0');
    auto got = in_.Read(head.data(), head.size());
    if (!got.ok()) return got.status();
    head.resize(got.value());
    auto size = NpyHeaderSize(head);
    if (!size.ok()) return size.status();
    if (size.value() > head.size()) {
      size_t have = head.size();
      head.resize(size.value());
      auto rest = in_.Read(head.data() + have, head.size() - have);
      if (!rest.ok()) return rest.status();
      if (rest.value() != head.size() - have)
        return base::Status::Format("NPY header is truncated");
    }
    auto header = ParseNpyHeader(head);
    if (!header.ok()) return header.status();
    header_ = header.value();
    layout_.dtype = header_.dtype;
    row_bytes_ = header_.dims * DTypeSize(header_.dtype);
    if (head.size() > header_.data_offset) {
      return base::Status::Internal("NPY header read past its end");  // preamble > header: never
    }
    return base::Status::Ok();
  }
  std::optional<uint64_t> total_records() const override { return header_.rows; }

 protected:
  base::Result<bool> ReadRow(std::string& out) override {
    if (rows_ >= header_.rows) return false;
    size_t at = out.size();
    out.resize(at + row_bytes_);
    auto got = in_.Read(out.data() + at, row_bytes_);
    if (!got.ok()) return got.status();
    if (got.value() != row_bytes_) {
      return base::Status::Format("NPY data is truncated at row " + std::to_string(rows_ + 1) +
                                  " of " + std::to_string(header_.rows));
    }
    return true;
  }

 private:
  NpyHeader header_;
  size_t row_bytes_ = 0;
};

class FvecsReader : public RowReader {
 public:
  FvecsReader(std::unique_ptr<ByteSource> source, std::unique_ptr<ByteSource> payload)
      : RowReader(std::move(source), std::move(payload), DType::kF32) {}

  std::optional<uint64_t> total_records() const override {
    if (!source_->raw_size() || source_->compression() != Compression::kNone || first_dim_ <= 0) {
      return std::nullopt;
    }
    return *source_->raw_size() / (4 + 4 * static_cast<uint64_t>(first_dim_));
  }

 protected:
  base::Result<bool> ReadRow(std::string& out) override {
    char dim_bytes[4];
    auto got = in_.Read(dim_bytes, 4);
    if (!got.ok()) return got.status();
    if (got.value() == 0) return false;
    int32_t dim = 0;
    if (got.value() == 4) std::memcpy(&dim, dim_bytes, 4);
    if (got.value() != 4 || dim <= 0 || dim > (1 << 20)) {
      return base::Status::Format("fvecs row " + std::to_string(rows_ + 1) +
                                  " has a bad dimension field; the file is damaged or not fvecs");
    }
    if (first_dim_ == 0) first_dim_ = dim;
    size_t bytes = static_cast<size_t>(dim) * 4;
    size_t at = out.size();
    out.resize(at + bytes);
    auto body = in_.Read(out.data() + at, bytes);
    if (!body.ok()) return body.status();
    if (body.value() != bytes) {
      return base::Status::Format("fvecs data is truncated at row " + std::to_string(rows_ + 1));
    }
    return true;
  }

 private:
  int32_t first_dim_ = 0;
};

}  // namespace

base::Result<std::unique_ptr<RecordReader>> OpenNpyReader(std::unique_ptr<ByteSource> source,
                                                          std::unique_ptr<ByteSource> payload) {
  auto reader = std::make_unique<NpyReader>(std::move(source), std::move(payload));
  QUIVER_RETURN_IF_ERROR(reader->ReadHeader());
  return std::unique_ptr<RecordReader>(std::move(reader));
}

base::Result<std::unique_ptr<RecordReader>> OpenFvecsReader(std::unique_ptr<ByteSource> source,
                                                            std::unique_ptr<ByteSource> payload) {
  return std::unique_ptr<RecordReader>(
      std::make_unique<FvecsReader>(std::move(source), std::move(payload)));
}

}  // namespace quiver::ops::ingest
