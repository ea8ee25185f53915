// The upsert fast path (upsert_fast.cpp): simdjson On-Demand for the common body shape.
#pragma once

#include <optional>
#include <string_view>

#include "engine/collection/operation.h"

namespace quiver::wire {

// The operation for a body of the form {"points":[{"id","vector","payload"}...]} read without a
// DOM; nullopt for any other shape and on any error (the caller then uses the DOM parser, which
// gives the reference result and error message).
std::optional<engine::Operation> TryParseUpsertFast(std::string_view body);

}  // namespace quiver::wire
