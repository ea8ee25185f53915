#include "engine/segment/segment.h"

#include <cstring>

namespace quiver::engine {

Segment::Segment(uint64_t id, const VectorSpecs& specs) : id_(id), specs_(specs) {
  for (const auto& [name, spec] : specs_) columns_[name].dim = spec.dim;
}

uint64_t Segment::vector_bytes() const {
  uint64_t total = 0;
  for (const auto& [name, col] : columns_) total += col.data.size() * sizeof(float);
  return total;
}

bool Segment::HasVector(uint32_t off, std::string_view name) const {
  auto it = columns_.find(name);
  return it != columns_.end() && it->second.present[off] != 0;
}

const float* Segment::VectorAt(uint32_t off, std::string_view name) const {
  auto it = columns_.find(name);
  if (it == columns_.end() || !it->second.present[off]) return nullptr;
  return it->second.data.data() + size_t(off) * it->second.dim;
}

const float* Segment::RawColumn(std::string_view name) const {
  auto it = columns_.find(name);
  return it == columns_.end() ? nullptr : it->second.data.data();
}

uint32_t Segment::Append(const PointId& id, uint64_t version, const NamedVectors& vectors,
                         Value payload) {
  uint32_t off = size();
  ids_.push_back(id);
  versions_.push_back(version);
  deleted_.push_back(0);
  payloads_.push_back(std::move(payload));
  for (auto& [name, col] : columns_) {
    col.data.resize(col.data.size() + col.dim, 0.0f);
    auto it = vectors.find(name);
    bool has = it != vectors.end() && it->second.size() == col.dim;
    col.present.push_back(has ? 1 : 0);
    if (has) std::memcpy(col.data.data() + size_t(off) * col.dim, it->second.data(), col.dim * 4);
  }
  ++live_;
  data_dirty_ = true;
  return off;
}

void Segment::SetVector(uint32_t off, const std::string& name, const std::vector<float>& v) {
  auto it = columns_.find(name);
  if (it == columns_.end() || v.size() != it->second.dim) return;
  std::memcpy(it->second.data.data() + size_t(off) * it->second.dim, v.data(), v.size() * 4);
  it->second.present[off] = 1;
  data_dirty_ = true;
}

void Segment::RemoveVector(uint32_t off, const std::string& name) {
  auto it = columns_.find(name);
  if (it == columns_.end()) return;
  it->second.present[off] = 0;
  data_dirty_ = true;
}

Value& Segment::MutablePayload(uint32_t off) {
  data_dirty_ = true;
  return payloads_[off];
}

void Segment::SetVersion(uint32_t off, uint64_t version) {
  versions_[off] = version;
  data_dirty_ = true;
}

void Segment::MarkDeleted(uint32_t off) {
  if (deleted_[off]) return;
  deleted_[off] = 1;
  --live_;
  deletes_dirty_ = true;
}

}  // namespace quiver::engine
