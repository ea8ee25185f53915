// JsonOut: a small, fast JSON text builder for responses (no DOM).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/types/point_id.h"
#include "engine/types/value.h"

namespace quiver::wire {

class JsonOut {
 public:
  JsonOut& BeginObject();
  JsonOut& EndObject();
  JsonOut& BeginArray();
  JsonOut& EndArray();
  // Writes a member key (inside an object); the value follows.
  JsonOut& Key(std::string_view key);
  JsonOut& String(std::string_view s);
  JsonOut& Int(int64_t v);
  JsonOut& Uint(uint64_t v);
  JsonOut& Double(double v);  // non-finite values are written as null
  JsonOut& Float(float v);
  JsonOut& Bool(bool v);
  JsonOut& Null();
  JsonOut& Raw(std::string_view json);  // an already-rendered JSON value
  JsonOut& Val(const engine::Value& v);
  JsonOut& Id(const engine::PointId& id);
  JsonOut& Floats(const std::vector<float>& v);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Sep();
  std::string out_;
  std::vector<bool> first_;  // per open container: no member written yet
  bool after_key_ = false;
};

}  // namespace quiver::wire
