#include "engine/types/distance.h"

namespace quiver::engine {

std::string_view DistanceName(Distance d) {
  switch (d) {
    case Distance::kCosine:
      return "Cosine";
    case Distance::kEuclid:
      return "Euclid";
    case Distance::kDot:
      return "Dot";
    case Distance::kManhattan:
      return "Manhattan";
  }
  return "Cosine";
}

std::optional<Distance> ParseDistance(std::string_view name) {
  if (name == "Cosine") return Distance::kCosine;
  if (name == "Euclid") return Distance::kEuclid;
  if (name == "Dot") return Distance::kDot;
  if (name == "Manhattan") return Distance::kManhattan;
  return std::nullopt;
}

}  // namespace quiver::engine
