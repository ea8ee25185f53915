// Payload key paths ("a.b", "arr[].c", "arr[0]", "\"dotted.key\"") and the payload operations that
// use them: reading all values at a path, setting at a nested key, deleting keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/types/value.h"

namespace quiver::engine {

struct PathStep {
  enum class Kind { kKey, kAllElements, kIndex };
  Kind kind = Kind::kKey;
  std::string key;   // for kKey
  size_t index = 0;  // for kIndex
};

// Parses a key path; BadRequest on a malformed path (empty segment, bad brackets).
base::Result<std::vector<PathStep>> ParsePath(std::string_view path);

// All values reached by the path, with arrays flattened at the end: for {"a":[{"b":1},{"b":[2,3]}]}
// the path "a[].b" yields 1, 2, 3. As in Qdrant's JsonPath, a key step only descends into an
// object, so "a.b" yields nothing there: arrays are entered with "[]" or "[i]". Missing keys
// contribute nothing.
std::vector<const Value*> ValuesAt(const Value& payload, const std::vector<PathStep>& path);
// Like ValuesAt, but without flattening the final arrays (used for values_count / is_empty).
std::vector<const Value*> RawValuesAt(const Value& payload, const std::vector<PathStep>& path);

// set_payload semantics: merges the members of `values` (an object) into `payload` (a null member
// removes the key, as in Qdrant); with a `key` path, merges into the object(s) at that path,
// creating missing objects along the way (a missing array becomes [] and is not filled).
void SetPayload(Value& payload, const Value& values, const std::vector<PathStep>* key);
// Removes the value at each key path (for "a.b" removes member b of object a; "a[].b" removes b
// from every element of array a).
void DeletePayloadKey(Value& payload, const std::vector<PathStep>& key);

}  // namespace quiver::engine
