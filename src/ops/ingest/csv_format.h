// CSV (RFC 4180) records and header schema for `quiver ingest`.
//
// The header names the columns. The id column (default `id`) holds point ids; the vector is either
// one column holding a JSON array (default name `vector`) or numbered columns `vector_0`,
// `vector_1`, ... (or `vector0`, ...); every other column is a payload field. A payload column can
// carry a type suffix, `year:int`, `price:float`, `in_stock:bool`, `tags:json`, `title:string`
// (the default); empty cells are left out of the payload.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace quiver::ops::ingest {

enum class CsvType { kString, kInt, kFloat, kBool, kJson };

struct CsvColumn {
  enum class Role { kId, kVector, kVectorElement, kPayload };
  std::string name;  // the payload key (type suffix removed)
  CsvType type = CsvType::kString;
  Role role = Role::kPayload;
};

struct CsvSchema {
  char delimiter = ',';
  std::vector<CsvColumn> columns;
  int id_column = -1;                // -1: none
  int vector_column = -1;            // a JSON-array column, or -1
  std::vector<int> element_columns;  // numbered vector columns in element order

  // Builds the schema from the header record. Format error for a header without a vector
  // column, with gaps in numbered vector columns, or with duplicate names.
  static base::Result<CsvSchema> FromHeader(std::string_view header, char delimiter,
                                            const std::string& id_column,
                                            const std::string& vector_column);
  // Index of the column whose payload key is `name`, or -1.
  int Find(std::string_view name) const;
};

// Splits one CSV record into its fields. Quoted fields are unescaped into `scratch` (its capacity
// is reserved up front so the views stay valid). Format error for a malformed quote.
base::Status SplitCsvRecord(std::string_view record, char delimiter,
                            std::vector<std::string_view>& fields, std::string& scratch);

// Appends the JSON value of a typed payload cell; Format error naming the problem otherwise.
base::Status AppendCsvValue(std::string& out, std::string_view cell, CsvType type);

}  // namespace quiver::ops::ingest
