// Converters for CSV rows and for NPY/fvecs rows (binary floats plus an optional payload line).
#include <simdjson.h>

#include <cmath>
#include <vector>

#include "ops/ingest/json_text.h"
#include "ops/ingest/point_converter.h"

namespace quiver::ops::ingest {
namespace {

void AppendVectorStart(std::string& out, const std::string& vector_name) {
  out += ",\"vector\":";
  if (!vector_name.empty()) {
    out += '{';
    AppendJsonString(out, vector_name);
    out += ':';
  }
}

class CsvConverter : public PointConverter {
 public:
  CsvConverter(const CsvSchema& schema, const ConvertOptions& options)
      : schema_(schema), options_(options) {
    key_column_ = options.id.field.empty() ? -1 : schema.Find(options.id.field);
  }

  base::Status Convert(const RawBatch& batch, const RawRecord& record, std::string& out) override {
    std::string_view text(batch.data.data() + record.offset, record.size);
    QUIVER_RETURN_IF_ERROR(SplitCsvRecord(text, schema_.delimiter, fields_, scratch_));
    if (fields_.size() != schema_.columns.size()) {
      return base::Status::Format("expected " + std::to_string(schema_.columns.size()) +
                                  " fields, got " + std::to_string(fields_.size()));
    }
    std::string own_id;
    if (schema_.id_column >= 0 && options_.id.kind == IdSpec::Kind::kAuto) {
      auto id = PointIdJsonFromText(fields_[schema_.id_column]);
      if (!id.ok()) return id.status();
      own_id = std::move(id.value());
    }
    KeyValue key;
    if (key_column_ >= 0 && !fields_[key_column_].empty()) {
      key.text = std::string(fields_[key_column_]);
      CsvType type = schema_.columns[key_column_].type;
      bool digits =
          !key.text.empty() && key.text.find_first_not_of("0123456789") == std::string::npos;
      key.kind = type == CsvType::kString ? KeyValue::Kind::kString
                 : digits                 ? KeyValue::Kind::kUnsigned
                                          : KeyValue::Kind::kOther;
    }
    auto point_id = MakePointId(options_, record.number, own_id, key);
    if (!point_id.ok()) return point_id.status();

    point_.clear();
    point_ += "{\"id\":";
    point_ += point_id.value();
    AppendVectorStart(point_, options_.vector_name);
    size_t dims = 0;
    if (schema_.vector_column >= 0) {
      std::string_view raw = fields_[schema_.vector_column];
      auto n = CountDenseVector(raw);
      if (!n.ok()) return n.status();
      dims = n.value();
      point_ += raw;
    } else {
      point_ += '[';
      for (size_t i = 0; i < schema_.element_columns.size(); ++i) {
        std::string_view cell = fields_[schema_.element_columns[i]];
        if (!IsJsonNumber(cell)) {
          return base::Status::Format("vector column " +
                                      schema_.columns[schema_.element_columns[i]].name +
                                      " is not a finite number");
        }
        if (i > 0) point_ += ',';
        point_ += cell;
      }
      point_ += ']';
      dims = schema_.element_columns.size();
    }
    QUIVER_RETURN_IF_ERROR(options_.schema.Check(options_.vector_name, dims));
    if (!options_.vector_name.empty()) point_ += '}';
    bool first = true;
    for (size_t i = 0; i < schema_.columns.size(); ++i) {
      const CsvColumn& col = schema_.columns[i];
      if (col.role != CsvColumn::Role::kPayload || fields_[i].empty()) continue;
      point_ += first ? ",\"payload\":{" : ",";
      first = false;
      AppendJsonString(point_, col.name);
      point_ += ':';
      base::Status st = AppendCsvValue(point_, fields_[i], col.type);
      if (!st.ok()) return base::Status::Format("column " + col.name + ": " + st.message());
    }
    if (!first) point_ += '}';
    point_ += '}';
    out += point_;
    return base::Status::Ok();
  }

 private:
  CsvSchema schema_;
  ConvertOptions options_;
  int key_column_ = -1;
  std::vector<std::string_view> fields_;
  std::string scratch_;
  std::string point_;
};

class DenseConverter : public PointConverter {
 public:
  DenseConverter(DType dtype, const ConvertOptions& options) : dtype_(dtype), options_(options) {
    if (options_.id.kind == IdSpec::Kind::kAuto)
      options_.id.kind = IdSpec::Kind::kLine;  // no own ids
  }

  base::Status Convert(const RawBatch& batch, const RawRecord& record, std::string& out) override {
    if (record.missing_payload) {
      return base::Status::Format("the payload file has no line for this row");
    }
    std::string_view payload(batch.data.data() + record.payload_offset, record.payload_size);
    size_t b = payload.find_first_not_of(" \t");
    payload = b == std::string_view::npos ? std::string_view() : payload.substr(b);
    if (payload.empty() || payload.substr(0, 4) == "null") {
      if (!payload.empty() && payload.find_first_not_of(" \t", 4) != std::string_view::npos) {
        return base::Status::Format("payload line is not a JSON object");
      }
      payload = {};
    } else {
      simdjson::dom::element e;
      if (auto err = parser_.parse(payload.data(), payload.size()).get(e)) {
        return base::Status::Format(std::string("payload line is not valid JSON: ") +
                                    simdjson::error_message(err));
      }
      if (!e.is_object()) return base::Status::Format("payload line is not a JSON object");
    }
    size_t dims = record.size / DTypeSize(dtype_);
    QUIVER_RETURN_IF_ERROR(options_.schema.Check(options_.vector_name, dims));
    KeyValue key;
    if (!payload.empty() && !options_.id.field.empty())
      key = LookupJsonField(payload, options_.id.field);
    auto point_id = MakePointId(options_, record.number, "", key);
    if (!point_id.ok()) return point_id.status();

    point_.clear();
    point_ += "{\"id\":";
    point_ += point_id.value();
    AppendVectorStart(point_, options_.vector_name);
    point_ += '[';
    const char* row = batch.data.data() + record.offset;
    for (size_t i = 0; i < dims; ++i) {
      float v = ReadElement(row, dtype_, i);
      if (!std::isfinite(v)) {
        return base::Status::Format("vector element " + std::to_string(i) + " is not finite");
      }
      if (i > 0) point_ += ',';
      AppendFloat(point_, v);
    }
    point_ += ']';
    if (!options_.vector_name.empty()) point_ += '}';
    if (!payload.empty()) {
      point_ += ",\"payload\":";
      point_ += payload;
    }
    point_ += '}';
    out += point_;
    return base::Status::Ok();
  }

 private:
  DType dtype_;
  ConvertOptions options_;
  simdjson::dom::parser parser_;
  std::string point_;
};

}  // namespace

std::unique_ptr<PointConverter> MakeCsvConverter(const CsvSchema& schema,
                                                 const ConvertOptions& options) {
  return std::make_unique<CsvConverter>(schema, options);
}

std::unique_ptr<PointConverter> MakeDenseConverter(DType dtype, const ConvertOptions& options) {
  return std::make_unique<DenseConverter>(dtype, options);
}

}  // namespace quiver::ops::ingest
