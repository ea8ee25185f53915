// PointId: an unsigned 64-bit integer or a UUID, as in Qdrant (ExtendedPointId).
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace quiver::engine {

struct PointId {
  bool is_uuid = false;
  uint64_t hi = 0;  // UUID bytes 0..7 (big-endian); 0 for numbers
  uint64_t lo = 0;  // the number, or UUID bytes 8..15 (big-endian)

  static PointId Num(uint64_t n) { return {false, 0, n}; }
  // Parses a UUID in hyphenated, simple (32 hex), braced or urn form.
  static std::optional<PointId> ParseUuid(std::string_view s);
  // Lowercase hyphenated UUID, or the decimal number.
  std::string ToString() const;

  // Numbers order before UUIDs, as Qdrant's scroll does.
  auto operator<=>(const PointId&) const = default;
};

struct PointIdHash {
  size_t operator()(const PointId& id) const {
    uint64_t h = id.lo * 0x9E3779B97F4A7C15ull ^ (id.hi + (id.is_uuid ? 0x51ED27 : 0));
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

}  // namespace quiver::engine
