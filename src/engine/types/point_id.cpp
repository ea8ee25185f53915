#include "engine/types/point_id.h"

namespace quiver::engine {
namespace {
int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<PointId> PointId::ParseUuid(std::string_view s) {
  if (s.size() == 45 && (s.substr(0, 9) == "urn:uuid:" || s.substr(0, 9) == "URN:UUID:")) {
    s.remove_prefix(9);
  }
  if (s.size() == 38 && s.front() == '{' && s.back() == '}') s = s.substr(1, 36);
  std::string hex;
  if (s.size() == 36) {
    for (size_t i = 0; i < 36; ++i) {
      bool dash_pos = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash_pos != (s[i] == '-')) return std::nullopt;
      if (!dash_pos) hex.push_back(s[i]);
    }
  } else if (s.size() == 32) {
    hex = std::string(s);
  } else {
    return std::nullopt;
  }
  PointId id{true, 0, 0};
  for (size_t i = 0; i < 32; ++i) {
    int v = Hex(hex[i]);
    if (v < 0) return std::nullopt;
    uint64_t& part = i < 16 ? id.hi : id.lo;
    part = (part << 4) | static_cast<uint64_t>(v);
  }
  return id;
}

std::string PointId::ToString() const {
  if (!is_uuid) return std::to_string(lo);
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    uint64_t part = i < 16 ? hi : lo;
    int shift = (15 - (i % 16)) * 4;
    out.push_back(kDigits[(part >> shift) & 0xF]);
  }
  return out;
}

}  // namespace quiver::engine
