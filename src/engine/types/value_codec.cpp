#include "engine/types/value_codec.h"

namespace quiver::engine {

void EncodeValue(const Value& v, base::ByteWriter& w) {
  w.U8(static_cast<uint8_t>(v.type()));
  switch (v.type()) {
    case Value::Type::kNull:
      break;
    case Value::Type::kBool:
      w.U8(v.as_bool() ? 1 : 0);
      break;
    case Value::Type::kInt:
      w.I64(v.as_int());
      break;
    case Value::Type::kDouble:
      w.F64(v.as_double());
      break;
    case Value::Type::kString:
      w.Str(v.as_string());
      break;
    case Value::Type::kArray:
      w.U32(static_cast<uint32_t>(v.as_array().size()));
      for (const auto& e : v.as_array()) EncodeValue(e, w);
      break;
    case Value::Type::kObject:
      w.U32(static_cast<uint32_t>(v.as_object().size()));
      for (const auto& [k, e] : v.as_object()) {
        w.Str(k);
        EncodeValue(e, w);
      }
      break;
  }
}

Value DecodeValue(base::ByteReader& r, int depth) {
  if (depth > 128) {
    r.Fail();
    return {};
  }
  uint8_t type = r.U8();
  switch (static_cast<Value::Type>(type)) {
    case Value::Type::kNull:
      return {};
    case Value::Type::kBool:
      return Value(r.U8() != 0);
    case Value::Type::kInt:
      return Value(r.I64());
    case Value::Type::kDouble:
      return Value(r.F64());
    case Value::Type::kString:
      return Value(std::string(r.Str()));
    case Value::Type::kArray: {
      uint32_t n = r.U32();
      if (n > r.remaining()) {  // each element takes at least one byte
        r.Fail();
        return {};
      }
      Array a;
      a.reserve(n);
      for (uint32_t i = 0; i < n && r.ok(); ++i) a.push_back(DecodeValue(r, depth + 1));
      return Value(std::move(a));
    }
    case Value::Type::kObject: {
      uint32_t n = r.U32();
      if (n > r.remaining()) {
        r.Fail();
        return {};
      }
      Object o;
      o.reserve(n);
      for (uint32_t i = 0; i < n && r.ok(); ++i) {
        std::string key(r.Str());
        o.emplace_back(std::move(key), DecodeValue(r, depth + 1));
      }
      return Value(std::move(o));
    }
  }
  r.Fail();
  return {};
}

}  // namespace quiver::engine
