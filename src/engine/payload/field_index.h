// FieldIndex: a payload index over one field of one sealed segment, used by the query planner to
// find candidate points and estimate a filter's cardinality without touching every payload.
// keyword / uuid / integer / bool: value → offsets; integer / float / datetime: sorted (value,
// offset) for ranges. Built from the segment's payloads; held in memory (rebuilt when a segment is
// loaded).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/filter/filter.h"
#include "engine/payload/payload_path.h"

namespace quiver::engine {

class FieldIndex {
 public:
  // `type` is Qdrant's schema type name; `payload(i)` returns the payload of offset i (null Value
  // for deleted or absent ones).
  template <typename PayloadAt>
  static std::unique_ptr<FieldIndex> Build(const std::string& key, const std::string& type,
                                           uint32_t n, PayloadAt&& payload);

  // Sorted offsets that may satisfy `cond` (a superset is allowed: callers re-check the whole
  // filter), or nullopt when this index cannot answer that condition. `*exact` is set to whether
  // the offsets are exactly the matches (no re-check needed), when `exact` is not null.
  std::optional<std::vector<uint32_t>> Candidates(const FieldCondition& cond,
                                                  bool* exact = nullptr) const;

  // The offsets of a `match: {value}` condition that this index answers exactly (keyword, integer,
  // bool), without a copy; null when it cannot answer it so.
  const std::vector<uint32_t>* Postings(const FieldCondition& cond) const;
  // For such a condition whose offsets are at least 1/64 of the n points: a byte per point, 1 where
  // it matches, built on first use and kept (the graph walk's predicate for a large filter, which
  // per query would cost a copy and a pass over half the segment at 50%). Null otherwise.
  const uint8_t* PostingMask(const FieldCondition& cond, uint32_t n) const;

  const std::string& key() const { return key_; }

 private:
  void Add(const Value& v, uint32_t offset);
  static std::optional<std::string> Token(const Value& v);
  // The offsets holding `v` (an empty list when none do); null when `v` has no token here.
  const std::vector<uint32_t>* ExactList(const Value& v) const;
  // Whether an exact list is the whole answer to a match (keyword, integer, bool; not uuid).
  bool ExactTypes() const { return type_ == "keyword" || type_ == "integer" || type_ == "bool"; }

  std::string key_;
  std::string type_;
  std::unordered_map<std::string, std::vector<uint32_t>> exact_;
  std::vector<std::pair<double, uint32_t>> numeric_;  // sorted after Build
  bool has_exact_ = false;
  bool has_numeric_ = false;
  mutable std::mutex masks_mu_;
  mutable std::unordered_map<std::string, std::unique_ptr<std::vector<uint8_t>>> masks_;
};

template <typename PayloadAt>
std::unique_ptr<FieldIndex> FieldIndex::Build(const std::string& key, const std::string& type,
                                              uint32_t n, PayloadAt&& payload) {
  auto path = ParsePath(key);
  if (!path.ok()) return nullptr;
  auto idx = std::unique_ptr<FieldIndex>(new FieldIndex());
  idx->key_ = key;
  idx->type_ = type;
  idx->has_exact_ = type == "keyword" || type == "uuid" || type == "integer" || type == "bool";
  idx->has_numeric_ = type == "integer" || type == "float" || type == "datetime";
  if (!idx->has_exact_ && !idx->has_numeric_) return nullptr;  // geo, text: not planned yet
  for (uint32_t i = 0; i < n; ++i) {
    for (const Value* v : ValuesAt(payload(i), path.value())) idx->Add(*v, i);
  }
  std::sort(idx->numeric_.begin(), idx->numeric_.end());
  for (auto& [token, offsets] : idx->exact_) {
    offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
  }
  return idx;
}

}  // namespace quiver::engine
