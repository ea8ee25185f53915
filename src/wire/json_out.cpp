#include "wire/json_out.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <type_traits>

namespace quiver::wire {

void JsonOut::Sep() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_.push_back(',');
    first_.back() = false;
  }
}

JsonOut& JsonOut::BeginObject() {
  Sep();
  out_.push_back('{');
  first_.push_back(true);
  return *this;
}
JsonOut& JsonOut::EndObject() {
  out_.push_back('}');
  first_.pop_back();
  return *this;
}
JsonOut& JsonOut::BeginArray() {
  Sep();
  out_.push_back('[');
  first_.push_back(true);
  return *this;
}
JsonOut& JsonOut::EndArray() {
  out_.push_back(']');
  first_.pop_back();
  return *this;
}

JsonOut& JsonOut::Key(std::string_view key) {
  String(key);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

JsonOut& JsonOut::String(std::string_view s) {
  Sep();
  out_.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      case '\b':
        out_ += "\\b";
        break;
      case '\f':
        out_ += "\\f";
        break;
      default:
        if (c < 0x20) {
          static const char* kHex = "0123456789abcdef";
          out_ += "\\u00";
          out_.push_back(kHex[c >> 4]);
          out_.push_back(kHex[c & 15]);
        } else {
          out_.push_back(static_cast<char>(c));
        }
    }
  }
  out_.push_back('"');
  return *this;
}

namespace {

// Appends a number in its shortest round-trip form; floating-point values keep a fraction or
// exponent ("1.0", not "1"), as serde writes them.
template <typename T>
void AppendNumber(std::string& out, T v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  std::string_view s(buf, r.ptr - buf);
  out.append(s);
  if constexpr (std::is_floating_point_v<T>) {
    if (s.find_first_of(".eEn") == std::string_view::npos) out += ".0";
  }
}

}  // namespace

JsonOut& JsonOut::Int(int64_t v) {
  Sep();
  AppendNumber(out_, v);
  return *this;
}

JsonOut& JsonOut::Uint(uint64_t v) {
  Sep();
  AppendNumber(out_, v);
  return *this;
}

JsonOut& JsonOut::Double(double v) {
  if (!std::isfinite(v)) return Null();
  Sep();
  AppendNumber(out_, v);
  return *this;
}

JsonOut& JsonOut::Float(float v) {
  // A score can overflow to infinity on extreme (finite) vectors; JSON has no infinity, and the
  // contract wants a number, so it is written as the largest float of that sign.
  if (std::isinf(v)) {
    v = v > 0 ? std::numeric_limits<float>::max() : -std::numeric_limits<float>::max();
  }
  if (std::isnan(v)) return Null();
  Sep();
  AppendNumber(out_, v);
  return *this;
}

JsonOut& JsonOut::Bool(bool v) {
  Sep();
  out_ += v ? "true" : "false";
  return *this;
}

JsonOut& JsonOut::Null() {
  Sep();
  out_ += "null";
  return *this;
}

JsonOut& JsonOut::Raw(std::string_view json) {
  Sep();
  out_.append(json);
  return *this;
}

JsonOut& JsonOut::Val(const engine::Value& v) {
  using T = engine::Value::Type;
  switch (v.type()) {
    case T::kNull:
      return Null();
    case T::kBool:
      return Bool(v.as_bool());
    case T::kInt:
      return Int(v.as_int());
    case T::kDouble:
      return Double(v.as_double());
    case T::kString:
      return String(v.as_string());
    case T::kArray:
      BeginArray();
      for (const auto& e : v.as_array()) Val(e);
      return EndArray();
    case T::kObject:
      BeginObject();
      for (const auto& [k, e] : v.as_object()) {
        Key(k);
        Val(e);
      }
      return EndObject();
  }
  return Null();
}

JsonOut& JsonOut::Id(const engine::PointId& id) {
  if (id.is_uuid) return String(id.ToString());
  return Uint(id.lo);
}

JsonOut& JsonOut::Floats(const std::vector<float>& v) {
  BeginArray();
  for (float f : v) Float(f);
  return EndArray();
}

}  // namespace quiver::wire
