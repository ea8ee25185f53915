// Full-text index semantics (Qdrant's tokenizers/mod.rs): how the text of a payload field with a
// `text` index and the text of a `match: {text | text_any | phrase}` condition become tokens.
// Without a text index, text matching stays substring matching (filter_matcher.cpp).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "engine/types/value.h"

namespace quiver::engine {

struct TextIndexParams {
  // word: split at every non-alphanumeric character; whitespace: at whitespace; prefix: words,
  // indexed as all their prefixes; multilingual: treated as word (no dictionary segmentation).
  enum class Tokenizer { kWord, kWhitespace, kPrefix, kMultilingual };
  Tokenizer tokenizer = Tokenizer::kWord;
  bool lowercase = true;
  std::optional<size_t> min_token_len, max_token_len;  // in characters
  std::unordered_set<std::string> stopwords;           // already lowercased when lowercase

  // From the index's parameter object as given to PUT /index ({"type": "text", "tokenizer": ...,
  // "stopwords": "english" | {"languages": [...], "custom": [...]}}). Unknown stopword languages
  // add nothing (only English is built in).
  static TextIndexParams FromSchema(const Value& params);
};

// Tokens of a stored text, in order (prefix tokenizer: every prefix of every word).
std::vector<std::string> TokenizeDocument(const TextIndexParams& p, std::string_view text);
// Tokens of a query text (prefix tokenizer: whole words, cut to max_token_len, stopwords kept).
std::vector<std::string> TokenizeQuery(const TextIndexParams& p, std::string_view text);

}  // namespace quiver::engine
