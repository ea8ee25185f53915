// Binary encoding of Value for the WAL and segment files (docs/formats/value.md).
#pragma once

#include "base/byte_io.h"
#include "engine/types/value.h"

namespace quiver::engine {

void EncodeValue(const Value& v, base::ByteWriter& w);
// Decodes one value; on malformed input marks the reader failed and returns null.
// Nesting deeper than 128 levels is treated as malformed.
Value DecodeValue(base::ByteReader& r, int depth = 0);

}  // namespace quiver::engine
