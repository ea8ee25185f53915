#include "engine/payload/field_index.h"

#include <algorithm>
#include <cmath>

#include "engine/payload/datetime.h"

namespace quiver::engine {

std::optional<std::string> FieldIndex::Token(const Value& v) {
  // Built by append: GCC 12 warns (-Wrestrict, a false positive) on `"s" + string` inlined here.
  if (v.is_string()) return std::string("s").append(v.as_string());
  if (v.is_int()) return std::string("i").append(std::to_string(v.as_int()));
  if (v.is_bool()) return std::string(v.as_bool() ? "b1" : "b0");
  return std::nullopt;
}

void FieldIndex::Add(const Value& v, uint32_t offset) {
  if (has_exact_) {
    if (auto t = Token(v)) exact_[*t].push_back(offset);
  }
  if (has_numeric_) {
    if (v.is_number()) {
      numeric_.emplace_back(v.as_double(), offset);
    } else if (type_ == "datetime" && v.is_string()) {
      if (auto micros = ParseDatetimeMicros(v.as_string()))
        numeric_.emplace_back(double(*micros), offset);
    }
  }
}

namespace {

std::vector<uint32_t> Union(std::vector<uint32_t> a) {
  std::sort(a.begin(), a.end());
  a.erase(std::unique(a.begin(), a.end()), a.end());
  return a;
}

}  // namespace

std::optional<std::vector<uint32_t>> FieldIndex::Candidates(const FieldCondition& cond,
                                                            bool* exact) const {
  if (exact) *exact = false;
  if (cond.is_empty || cond.is_null) return std::nullopt;
  // Exact answers: match value / any over keyword, uuid, integer or bool tokens (the same equality
  // the matcher uses: integers match integers only, strings compare byte-wise).
  if (const auto* m = std::get_if<MatchValue>(&cond.cond); m && has_exact_) {
    const std::vector<uint32_t>* list = ExactList(m->value);
    if (!list) return std::nullopt;
    if (exact) *exact = ExactTypes();
    return *list;
  }
  if (const auto* m = std::get_if<MatchAny>(&cond.cond); m && has_exact_) {
    std::vector<uint32_t> out;
    for (const Value& v : m->values) {
      const std::vector<uint32_t>* list = ExactList(v);
      if (!list) return std::nullopt;
      out.insert(out.end(), list->begin(), list->end());
    }
    if (exact) *exact = ExactTypes();
    return Union(std::move(out));
  }
  if (const auto* r = std::get_if<RangeCondition>(&cond.cond); r && has_numeric_) {
    if (r->is_datetime != (type_ == "datetime")) return std::nullopt;
    double lo = -INFINITY, hi = INFINITY;
    if (r->gte) lo = *r->gte;
    if (r->gt) lo = std::max(lo, *r->gt);
    if (r->lte) hi = *r->lte;
    if (r->lt) hi = std::min(hi, *r->lt);
    auto first = std::lower_bound(numeric_.begin(), numeric_.end(), std::make_pair(lo, 0u));
    std::vector<uint32_t> out;
    for (auto it = first; it != numeric_.end() && it->first <= hi; ++it) out.push_back(it->second);
    return Union(std::move(out));  // bounds re-checked exactly by the caller's filter
  }
  return std::nullopt;
}

const std::vector<uint32_t>* FieldIndex::ExactList(const Value& v) const {
  static const std::vector<uint32_t> kNone;
  auto t = Token(v);
  if (!t) return nullptr;
  auto it = exact_.find(*t);
  return it == exact_.end() ? &kNone : &it->second;
}

const std::vector<uint32_t>* FieldIndex::Postings(const FieldCondition& cond) const {
  const auto* m = std::get_if<MatchValue>(&cond.cond);
  if (!m || !has_exact_ || !ExactTypes() || cond.is_empty || cond.is_null) return nullptr;
  return ExactList(m->value);
}

const uint8_t* FieldIndex::PostingMask(const FieldCondition& cond, uint32_t n) const {
  const std::vector<uint32_t>* list = Postings(cond);
  if (!list || list->size() < n / 64 || list->empty()) return nullptr;
  const std::string token = *Token(std::get<MatchValue>(cond.cond).value);
  std::lock_guard lock(masks_mu_);
  auto& mask = masks_[token];
  if (!mask) {  // never replaced once built: searches may hold its pointer
    mask = std::make_unique<std::vector<uint8_t>>(n, 0);
    for (uint32_t i : *list) {
      if (i < n) (*mask)[i] = 1;
    }
  }
  return mask->size() == n ? mask->data() : nullptr;
}

}  // namespace quiver::engine
