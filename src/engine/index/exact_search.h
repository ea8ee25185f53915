// Top-k selection for exact (brute-force) search, with Qdrant's ordering: best score first
// (highest for Cosine/Dot, lowest for Euclid/Manhattan), ties by point id.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/types/distance.h"
#include "engine/types/point_id.h"

namespace quiver::engine {

struct Candidate {
  float score = 0;
  PointId id;
  const void* segment = nullptr;  // where the point lives (opaque here)
  uint32_t offset = 0;
};

class TopK {
 public:
  // Keeps the best `k` candidates; with a threshold, rejects scores worse than it.
  TopK(Distance distance, size_t k, std::optional<float> score_threshold);

  // Whether `score` could enter the current top-k (cheap pre-check before building a Candidate).
  bool Admits(float score) const;
  void Push(const Candidate& c);
  // The kept candidates, best first.
  std::vector<Candidate> Take();

 private:
  bool Better(const Candidate& a, const Candidate& b) const;
  bool higher_better_;
  size_t k_;
  std::optional<float> threshold_;
  std::vector<Candidate> heap_;  // worst at the front
};

}  // namespace quiver::engine
