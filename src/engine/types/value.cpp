#include "engine/types/value.h"

namespace quiver::engine {

const Value* Value::Find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [k, v] : as_object()) {
    if (k == key) return &v;
  }
  return nullptr;
}

Value* Value::Find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Value*>(this)->Find(key));
}

void Value::Set(std::string key, Value v) {
  if (!is_object()) v_ = Object{};
  if (Value* existing = Find(key)) {
    *existing = std::move(v);
    return;
  }
  as_object().emplace_back(std::move(key), std::move(v));
}

bool Value::Erase(std::string_view key) {
  if (!is_object()) return false;
  auto& obj = as_object();
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it->first == key) {
      obj.erase(it);
      return true;
    }
  }
  return false;
}

bool Value::operator==(const Value& o) const {
  if (is_number() && o.is_number()) {
    if (is_int() && o.is_int()) return as_int() == o.as_int();
    return as_double() == o.as_double();
  }
  if (type() != o.type()) return false;
  switch (type()) {
    case Type::kNull:
      return true;
    case Type::kBool:
      return as_bool() == o.as_bool();
    case Type::kString:
      return as_string() == o.as_string();
    case Type::kArray:
      return as_array() == o.as_array();
    case Type::kObject: {
      const auto& a = as_object();
      const auto& b = o.as_object();
      if (a.size() != b.size()) return false;
      for (const auto& [k, v] : a) {
        const Value* other = o.Find(k);
        if (!other || !(*other == v)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

}  // namespace quiver::engine
