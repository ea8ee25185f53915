// Internal to wire/: the parameter objects of payload index schemas (KeywordIndexParams,
// TextIndexParams, ... in the contract), checked as Qdrant's serde types check them.
#pragma once

#include <string_view>

#include "wire/json_in.h"

namespace quiver::wire {

// True when every known field of `params` (a `field_schema` object whose `type` is `type`) has a
// value its schema allows: booleans, unsigned integers, the tokenizer / memory / language enums,
// stopwords and stemmer objects. Unknown fields are ignored, as serde does for these types.
bool ValidIndexParams(JsonObject params, std::string_view type);

}  // namespace quiver::wire
