#include "ops/ingest/csv_format.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "ops/ingest/json_text.h"

namespace quiver::ops::ingest {
namespace {

bool ParseType(std::string_view s, CsvType* type) {
  static const std::map<std::string_view, CsvType> kTypes = {
      {"string", CsvType::kString}, {"str", CsvType::kString},   {"keyword", CsvType::kString},
      {"text", CsvType::kString},   {"int", CsvType::kInt},      {"integer", CsvType::kInt},
      {"float", CsvType::kFloat},   {"double", CsvType::kFloat}, {"number", CsvType::kFloat},
      {"bool", CsvType::kBool},     {"boolean", CsvType::kBool}, {"json", CsvType::kJson}};
  auto it = kTypes.find(s);
  if (it == kTypes.end()) return false;
  *type = it->second;
  return true;
}

// "vector_12" or "vector12" with prefix "vector" gives 12; -1 when `name` is not such a column.
long ElementIndex(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return -1;
  std::string_view digits = name.substr(prefix.size());
  if (digits[0] == '_') digits.remove_prefix(1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return -1;
  }
  long v = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), v);
  return v;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

base::Status SplitCsvRecord(std::string_view record, char delimiter,
                            std::vector<std::string_view>& fields, std::string& scratch) {
  fields.clear();
  scratch.clear();
  scratch.reserve(record.size());
  size_t i = 0;
  while (true) {
    if (i < record.size() && record[i] == '"') {
      size_t start = scratch.size();
      ++i;
      while (true) {
        if (i >= record.size()) return base::Status::Format("unterminated quoted field");
        if (record[i] == '"') {
          if (i + 1 < record.size() && record[i + 1] == '"') {
            scratch.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        scratch.push_back(record[i++]);
      }
      fields.emplace_back(scratch.data() + start, scratch.size() - start);
      if (i < record.size() && record[i] != delimiter) {
        return base::Status::Format("unexpected character after a closing quote in field " +
                                    std::to_string(fields.size()));
      }
    } else {
      size_t end = record.find(delimiter, i);
      if (end == std::string_view::npos) end = record.size();
      fields.push_back(record.substr(i, end - i));
      i = end;
    }
    if (i >= record.size()) break;
    ++i;  // the delimiter
    if (i == record.size()) {
      fields.emplace_back();  // a trailing delimiter ends with an empty field
      break;
    }
  }
  return base::Status::Ok();
}

base::Result<CsvSchema> CsvSchema::FromHeader(std::string_view header, char delimiter,
                                              const std::string& id_column,
                                              const std::string& vector_column) {
  std::vector<std::string_view> fields;
  std::string scratch;
  QUIVER_RETURN_IF_ERROR(SplitCsvRecord(header, delimiter, fields, scratch));
  CsvSchema schema;
  schema.delimiter = delimiter;
  std::map<long, int> elements;
  for (size_t i = 0; i < fields.size(); ++i) {
    CsvColumn col;
    std::string_view name = fields[i];
    if (i == 0 && name.substr(0, 3) == "\xEF\xBB\xBF") name.remove_prefix(3);  // UTF-8 BOM
    auto colon = name.rfind(':');
    if (colon != std::string_view::npos && ParseType(Lower(name.substr(colon + 1)), &col.type)) {
      name = name.substr(0, colon);
    }
    col.name = std::string(name);
    int index = static_cast<int>(i);
    if (col.name == id_column) {
      col.role = CsvColumn::Role::kId;
      schema.id_column = index;
    } else if (col.name == vector_column) {
      col.role = CsvColumn::Role::kVector;
      schema.vector_column = index;
    } else if (long e = ElementIndex(col.name, vector_column); e >= 0) {
      col.role = CsvColumn::Role::kVectorElement;
      if (!elements.emplace(e, index).second) {
        return base::Status::Format("CSV header has vector element " + std::to_string(e) +
                                    " twice");
      }
    }
    if (schema.Find(col.name) >= 0) {
      return base::Status::Format("CSV header has column `" + col.name + "` twice");
    }
    schema.columns.push_back(std::move(col));
  }
  long expected = 0;
  for (const auto& [e, index] : elements) {
    if (e != expected) {
      return base::Status::Format("CSV header: vector column " + vector_column + "_" +
                                  std::to_string(expected) + " is missing");
    }
    schema.element_columns.push_back(index);
    ++expected;
  }
  if (schema.vector_column >= 0 && !schema.element_columns.empty()) {
    return base::Status::Format("CSV header has both `" + vector_column +
                                "` and numbered vector columns");
  }
  if (schema.vector_column < 0 && schema.element_columns.empty()) {
    return base::Status::Format("CSV header has no vector column (`" + vector_column + "` with a " +
                                "JSON array, or `" + vector_column + "_0`, `" + vector_column +
                                "_1`, ...; see --vector-column)");
  }
  return schema;
}

int CsvSchema::Find(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

base::Status AppendCsvValue(std::string& out, std::string_view cell, CsvType type) {
  switch (type) {
    case CsvType::kString:
      AppendJsonString(out, cell);
      return base::Status::Ok();
    case CsvType::kInt:
      if (!IsJsonInt64(cell))
        return base::Status::Format("`" + std::string(cell) + "` is not an integer");
      out.append(cell);
      return base::Status::Ok();
    case CsvType::kFloat:
      if (!IsJsonNumber(cell))
        return base::Status::Format("`" + std::string(cell) + "` is not a number");
      out.append(cell);
      return base::Status::Ok();
    case CsvType::kBool: {
      std::string v = Lower(cell);
      if (v == "true" || v == "1" || v == "yes") {
        out += "true";
      } else if (v == "false" || v == "0" || v == "no") {
        out += "false";
      } else {
        return base::Status::Format("`" + std::string(cell) + "` is not a boolean");
      }
      return base::Status::Ok();
    }
    case CsvType::kJson: {
      thread_local simdjson::dom::parser parser;
      simdjson::dom::element e;
      if (parser.parse(cell.data(), cell.size()).get(e)) {
        return base::Status::Format("`" + std::string(cell.substr(0, 80)) + "` is not valid JSON");
      }
      out += simdjson::minify(e);
      return base::Status::Ok();
    }
  }
  return base::Status::Ok();
}

}  // namespace quiver::ops::ingest
