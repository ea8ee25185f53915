// Vector distances with Qdrant's score semantics.
#pragma once

#include <optional>
#include <string_view>

namespace quiver::engine {

enum class Distance { kCosine, kEuclid, kDot, kManhattan };

// "Cosine", "Euclid", "Dot", "Manhattan" (Qdrant's spelling).
std::string_view DistanceName(Distance d);
std::optional<Distance> ParseDistance(std::string_view name);

// For Euclid and Manhattan the score is a distance: smaller is better.
inline bool HigherIsBetter(Distance d) { return d == Distance::kCosine || d == Distance::kDot; }

}  // namespace quiver::engine
