#include "engine/payload/payload_path.h"

#include <charconv>
#include <utility>

// Mirrors Qdrant's JsonPath (lib/segment/src/json_path/{mod,parse}.rs): a key step only descends
// into objects, `[]` and `[i]` only into arrays; anything else yields nothing.

namespace quiver::engine {

namespace {

// Qdrant accepts Unicode alphanumerics, '_' and '-' in unquoted keys; every non-ASCII byte is
// accepted here (a superset: it also lets through non-alphanumeric symbols such as "€").
bool IsRawKeyChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' ||
         u == '-' || u >= 0x80;
}

// Reads a raw or quoted key at `pos`; false when there is none.
bool ReadKey(std::string_view path, size_t& pos, std::string& key) {
  if (pos < path.size() && path[pos] == '"') {
    size_t end = pos + 1;
    while (end < path.size() && path[end] != '"') {
      if (path[end] == '\\') return false;
      ++end;
    }
    if (end >= path.size()) return false;
    key.assign(path.substr(pos + 1, end - pos - 1));
    pos = end + 1;
    return true;
  }
  size_t end = pos;
  while (end < path.size() && IsRawKeyChar(path[end])) ++end;
  if (end == pos) return false;
  key.assign(path.substr(pos, end - pos));
  pos = end;
  return true;
}

base::Status Malformed(std::string_view path) {
  return base::Status::BadRequest("Invalid json path: '" + std::string(path) + "'");
}

void Collect(const Value* value, const PathStep* step, const PathStep* end,
             std::vector<const Value*>& out) {
  for (; step != end; ++step) {
    switch (step->kind) {
      case PathStep::Kind::kKey:
        value = value->Find(step->key);
        if (value == nullptr) return;
        break;
      case PathStep::Kind::kIndex:
        if (!value->is_array() || step->index >= value->as_array().size()) return;
        value = &value->as_array()[step->index];
        break;
      case PathStep::Kind::kAllElements:
        if (!value->is_array()) return;
        for (const Value& element : value->as_array()) Collect(&element, step + 1, end, out);
        return;
    }
  }
  out.push_back(value);
}

// Null values in `src` remove the key (Qdrant's merge_map).
void MergeObject(Value& dest, const Value& src) {
  if (!dest.is_object()) dest = Value(Object{});
  if (!src.is_object()) return;
  for (const auto& [key, value] : src.as_object()) {
    if (value.is_null()) {
      dest.Erase(key);
    } else {
      dest.Set(key, value);
    }
  }
}

void SetAt(Value& dest, const PathStep* step, const PathStep* end, const Value& src) {
  if (step == end) {
    MergeObject(dest, src);
    return;
  }
  switch (step->kind) {
    case PathStep::Kind::kKey: {
      if (!dest.is_object()) dest = Value(Object{});
      Value* child = dest.Find(step->key);
      if (child == nullptr) {
        dest.Set(step->key, Value());
        child = dest.Find(step->key);
      }
      SetAt(*child, step + 1, end, src);
      return;
    }
    case PathStep::Kind::kIndex:
      // An index past the end is not created (Qdrant: `array.get_mut(i)` only).
      if (!dest.is_array()) dest = Value(Array{});
      if (step->index < dest.as_array().size()) {
        SetAt(dest.as_array()[step->index], step + 1, end, src);
      }
      return;
    case PathStep::Kind::kAllElements:
      if (!dest.is_array()) {
        dest = Value(Array{});
        return;
      }
      for (Value& element : dest.as_array()) SetAt(element, step + 1, end, src);
      return;
  }
}

void RemoveAt(Value& value, const PathStep* step, const PathStep* end) {
  const bool last = step + 1 == end;
  switch (step->kind) {
    case PathStep::Kind::kKey:
      if (!value.is_object()) return;
      if (last) {
        value.Erase(step->key);
      } else if (Value* child = value.Find(step->key)) {
        RemoveAt(*child, step + 1, end);
      }
      return;
    case PathStep::Kind::kIndex:
      // Removing an array element is not idempotent, so Qdrant ignores a final index step.
      if (!value.is_array() || last || step->index >= value.as_array().size()) return;
      RemoveAt(value.as_array()[step->index], step + 1, end);
      return;
    case PathStep::Kind::kAllElements:
      if (!value.is_array()) return;
      if (last) {
        value.as_array().clear();
        return;
      }
      for (Value& element : value.as_array()) RemoveAt(element, step + 1, end);
      return;
  }
}

}  // namespace

base::Result<std::vector<PathStep>> ParsePath(std::string_view path) {
  std::vector<PathStep> steps;
  size_t pos = 0;
  PathStep first;
  if (!ReadKey(path, pos, first.key)) return Malformed(path);
  steps.push_back(std::move(first));
  while (pos < path.size()) {
    PathStep step;
    if (path[pos] == '.') {
      ++pos;
      if (!ReadKey(path, pos, step.key)) return Malformed(path);
    } else if (path[pos] == '[') {
      ++pos;
      if (pos < path.size() && path[pos] == ']') {
        step.kind = PathStep::Kind::kAllElements;
        ++pos;
      } else {
        size_t close = path.find(']', pos);
        if (close == std::string_view::npos || close == pos) return Malformed(path);
        std::string_view digits = path.substr(pos, close - pos);
        for (char c : digits) {
          if (c < '0' || c > '9') return Malformed(path);
        }
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), step.index);
        if (ec != std::errc()) return Malformed(path);
        step.kind = PathStep::Kind::kIndex;
        pos = close + 1;
      }
    } else {
      return Malformed(path);
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

std::vector<const Value*> RawValuesAt(const Value& payload, const std::vector<PathStep>& path) {
  std::vector<const Value*> out;
  if (!path.empty()) Collect(&payload, path.data(), path.data() + path.size(), out);
  return out;
}

std::vector<const Value*> ValuesAt(const Value& payload, const std::vector<PathStep>& path) {
  std::vector<const Value*> out;
  for (const Value* value : RawValuesAt(payload, path)) {
    if (value->is_array()) {
      for (const Value& element : value->as_array()) out.push_back(&element);
    } else {
      out.push_back(value);
    }
  }
  return out;
}

void SetPayload(Value& payload, const Value& values, const std::vector<PathStep>* key) {
  if (!payload.is_object()) payload = Value(Object{});
  if (key == nullptr || key->empty()) {
    MergeObject(payload, values);
    return;
  }
  SetAt(payload, key->data(), key->data() + key->size(), values);
}

void DeletePayloadKey(Value& payload, const std::vector<PathStep>& key) {
  if (key.empty()) return;
  RemoveAt(payload, key.data(), key.data() + key.size());
}

}  // namespace quiver::engine
