// Datetime payload values, as Qdrant parses them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace quiver::engine {

// Datetime text → microseconds since the epoch (UTC), accepting the formats Qdrant accepts
// (RFC 3339, "YYYY-MM-DD HH:MM:SS[.f][tz]", "YYYY-MM-DDTHH:MM", "YYYY-MM-DD"); nullopt when
// invalid.
std::optional<int64_t> ParseDatetimeMicros(std::string_view text);

}  // namespace quiver::engine
