// Evaluates a Filter against one point, with Qdrant's semantics on arrays and missing fields.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "engine/filter/filter.h"
#include "engine/filter/text_tokenizer.h"
#include "engine/payload/datetime.h"

namespace quiver::engine {

// What the matcher may look at for one point.
class PointView {
 public:
  virtual ~PointView() = default;
  virtual const PointId& id() const = 0;
  // The payload object (a null Value when the point has no payload).
  virtual const Value& payload() const = 0;
  // Whether the point has the named vector ("" = the default vector).
  virtual bool HasVector(std::string_view name) const = 0;
};

// True when `point` satisfies `filter`:
// - must: all conditions hold; should: at least one holds (when non-empty); must_not: none holds;
//   min_should: at least min_count of its conditions hold.
// - A field condition on a key whose value is an array holds when any element satisfies it;
//   a missing key satisfies no field condition (so must_not on a missing key matches).
// - is_empty: the key is missing, null, or an empty array; is_null: the value is null (or an
//   array containing null is NOT null: only an explicit null value).
// - match text / text_any / phrase on a key listed in `text_indexes` (the collection's full-text
//   indexes) compares tokens (text_tokenizer.h); on other keys it is a substring check.
using TextIndexes = std::map<std::string, std::shared_ptr<const TextIndexParams>, std::less<>>;
bool MatchesFilter(const Filter& filter, const PointView& point,
                   const TextIndexes* text_indexes = nullptr);

}  // namespace quiver::engine
