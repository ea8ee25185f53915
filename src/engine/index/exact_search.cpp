#include "engine/index/exact_search.h"

#include <algorithm>
#include <cmath>

namespace quiver::engine {

TopK::TopK(Distance distance, size_t k, std::optional<float> score_threshold)
    : higher_better_(HigherIsBetter(distance)), k_(k), threshold_(score_threshold) {
  heap_.reserve(std::min<size_t>(k, 1 << 16));
}

bool TopK::Better(const Candidate& a, const Candidate& b) const {
  if (a.score != b.score) return higher_better_ ? a.score > b.score : a.score < b.score;
  return a.id < b.id;
}

bool TopK::Admits(float score) const {
  if (threshold_) {
    if (higher_better_ ? score < *threshold_ : score > *threshold_) return false;
  }
  if (k_ == 0) return false;
  if (heap_.size() < k_) return true;
  const float worst = heap_.front().score;
  return higher_better_ ? score >= worst : score <= worst;
}

void TopK::Push(const Candidate& c) {
  if (std::isnan(c.score) || !Admits(c.score)) return;  // NaN (inf - inf) ranks nowhere
  auto worse_first = [this](const Candidate& a, const Candidate& b) { return Better(a, b); };
  if (heap_.size() < k_) {
    heap_.push_back(c);
    std::push_heap(heap_.begin(), heap_.end(), worse_first);
    return;
  }
  if (!Better(c, heap_.front())) return;
  std::pop_heap(heap_.begin(), heap_.end(), worse_first);
  heap_.back() = c;
  std::push_heap(heap_.begin(), heap_.end(), worse_first);
}

std::vector<Candidate> TopK::Take() {
  std::sort(heap_.begin(), heap_.end(),
            [this](const auto& a, const auto& b) { return Better(a, b); });
  return std::move(heap_);
}

}  // namespace quiver::engine
