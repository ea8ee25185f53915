// Small JSON-text helpers for the ingest hot path: escaping, number checks, dense-vector scans and
// float rendering. They work on text so that valid input can be passed through byte for byte.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace quiver::ops::ingest {

// Appends `s` as a JSON string literal (quotes included, control characters escaped).
void AppendJsonString(std::string& out, std::string_view s);

// True when `s` is exactly one JSON number (RFC 8259 grammar) whose value is finite as a double.
bool IsJsonNumber(std::string_view s);

// True when `s` is a JSON integer (optional '-', no leading zeros) that fits in int64.
bool IsJsonInt64(std::string_view s);

// Checks that `text` is a JSON array of finite numbers ("[0.1, 2e-3]") and returns its length.
// Format error with a short reason ("element 3 is not a number") otherwise.
base::Result<size_t> ScanDenseVector(std::string_view text);

// The length of a dense-vector array, fast: when `text` holds only number characters between its
// brackets the elements are counted by their commas (SIMD; a malformed number is left for the
// server to reject); anything else gets the exact check and message of ScanDenseVector.
base::Result<size_t> CountDenseVector(std::string_view text);

// Appends the shortest text that reads back as `v` (std::to_chars). `v` must be finite.
void AppendFloat(std::string& out, float v);

// Returns the first non-whitespace character of `text`, or '\0'.
char FirstNonSpace(std::string_view text);

}  // namespace quiver::ops::ingest
