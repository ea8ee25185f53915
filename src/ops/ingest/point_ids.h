// Point ids for ingested records: taken from the record, or derived deterministically (the record's
// line number, a payload field used as the id, or a UUIDv5 of a payload field) so that loading the
// same input twice writes the same points.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace quiver::ops::ingest {

// How a record's point id is chosen (`--id`).
struct IdSpec {
  enum class Kind {
    kAuto,   // the record's own id (JSONL "id", the CSV id column); row number for NPY/fvecs
    kLine,   // the record's 1-based line (JSONL, CSV) or row (NPY, fvecs) number
    kField,  // the value of payload field `field` (u64 or UUID) is the id
    kUuid5,  // UUIDv5(namespace, value of payload field `field`)
  };
  Kind kind = Kind::kAuto;
  std::string field;  // dotted path into the payload for kField and kUuid5

  // Parses "auto", "line", "field:NAME" or "uuid5:NAME". Validation error otherwise.
  static base::Result<IdSpec> Parse(std::string_view text);
  std::string ToString() const;
};

using UuidBytes = std::array<uint8_t, 16>;

// RFC 4122 NAMESPACE_URL (6ba7b811-9dad-11d1-80b4-00c04fd430c8): the default namespace, so that
// Python's uuid.uuid5(uuid.NAMESPACE_URL, key) gives the same ids.
UuidBytes DefaultIdNamespace();

// Parses a UUID (hyphenated, simple, braced or urn form); Validation error otherwise.
base::Result<UuidBytes> ParseUuidBytes(std::string_view text);

// Lowercase hyphenated form.
std::string FormatUuid(const UuidBytes& uuid);

// RFC 4122 version 5 (SHA-1) UUID of `name` in `name_space`, lowercase hyphenated.
std::string Uuid5(const UuidBytes& name_space, std::string_view name);

// The JSON text of a point id given as text (a CSV cell, a --id field:NAME string): an unsigned
// 64-bit decimal number, or a UUID normalized to lowercase hyphenated form and quoted.
// Format error "bad id ..." otherwise.
base::Result<std::string> PointIdJsonFromText(std::string_view text);

// The JSON text of a UUID string id from a JSON record (normalized and quoted); Format error when
// the string is not a UUID (Qdrant accepts only u64 numbers and UUID strings).
base::Result<std::string> PointIdJsonFromUuidString(std::string_view text);

}  // namespace quiver::ops::ingest
