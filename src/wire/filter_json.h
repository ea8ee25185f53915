// Qdrant's JSON `Filter` (must / should / must_not / min_should and every `Condition`) → the
// engine filter tree.
#pragma once

#include <string_view>

#include "base/status.h"
#include "engine/filter/filter.h"
#include "wire/json_in.h"

namespace quiver::wire {

// Parses a Filter object; `path` names it in error messages (e.g. "filter"). Callers treat a JSON
// null as "no filter" before calling.
// - Format error (HTTP 400): wrong JSON types, unknown Filter keys, malformed payload keys
//   ("Invalid json path: '...'"), invalid datetimes, geo points out of range, polygon rings with
//   fewer than 4 points or not closed, a condition of no known shape.
// - Validation error (HTTP 422): a field condition without any condition, min_should.min_count
//   of 0, slice.total of 0 or slice.index >= slice.total.
// `should: []` is kept as Qdrant evaluates it: a clause no point satisfies.
base::Result<engine::Filter> ParseFilter(Json v, std::string_view path);

}  // namespace quiver::wire
