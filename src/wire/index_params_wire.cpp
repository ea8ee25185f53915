#include "wire/index_params_wire.h"

#include <set>
#include <string>

namespace quiver::wire {
namespace {

bool IsBoolOrNull(Json v) { return v.is_null() || v.is_bool(); }

bool IsUintOrNull(Json v) {
  if (v.is_null()) return true;
  return v.is_uint64() || (v.is_int64() && int64_t(v) >= 0);
}

bool InSet(Json v, const std::set<std::string_view>& allowed) {
  std::string_view s;
  return !v.get_string().get(s) && allowed.count(s) > 0;
}

const std::set<std::string_view> kTokenizers = {"prefix", "whitespace", "word", "multilingual"};
const std::set<std::string_view> kMemory = {"cold", "cached", "pinned"};
const std::set<std::string_view> kLanguages = {
    "arabic",   "azerbaijani", "basque",   "bengali",   "catalan",    "chinese",
    "danish",   "dutch",       "english",  "finnish",   "french",     "german",
    "greek",    "hebrew",      "hinglish", "hungarian", "indonesian", "italian",
    "japanese", "kazakh",      "nepali",   "norwegian", "portuguese", "romanian",
    "russian",  "slovene",     "spanish",  "swedish",   "tajik",      "turkish"};
const std::set<std::string_view> kSnowballLanguages = {
    "arabic",  "armenian", "danish",    "dutch",   "english",   "finnish",    "french",
    "german",  "greek",    "hungarian", "italian", "norwegian", "portuguese", "romanian",
    "russian", "spanish",  "swedish",   "tamil",   "turkish"};

// StopwordsInterface: a language name, or {"languages": [...], "custom": [...]}.
bool ValidStopwords(Json v) {
  if (v.is_null() || InSet(v, kLanguages)) return true;
  JsonObject o;
  if (v.get_object().get(o)) return false;
  for (auto field : o) {
    std::string_view key = field.key;
    if (field.value.is_null()) continue;
    JsonArray a;
    if ((key == "languages" || key == "custom") && field.value.get_array().get(a)) return false;
    for (Json item : a) {
      if (key == "languages" && !InSet(item, kLanguages)) return false;
      if (key == "custom" && !item.is_string()) return false;
    }
  }
  return true;
}

// StemmingAlgorithm: {"type": "snowball", "language": ...} or {"type": "none"}.
bool ValidStemmer(Json v) {
  if (v.is_null()) return true;
  JsonObject o;
  if (v.get_object().get(o)) return false;
  std::string_view type;
  if (o["type"].get_string().get(type)) return false;
  if (type == "none") return true;
  Json lang;
  return type == "snowball" && !o["language"].get(lang) && InSet(lang, kSnowballLanguages);
}

}  // namespace

bool ValidIndexParams(JsonObject params, std::string_view type) {
  static const std::set<std::string_view> kBools = {
      "is_tenant", "on_disk",      "enable_hnsw", "prefix",        "lookup",
      "range",     "is_principal", "lowercase",   "ascii_folding", "phrase_matching"};
  for (auto field : params) {
    std::string_view key = field.key;
    Json v = field.value;
    bool ok = true;
    if (key == "type") {
      continue;
    } else if (kBools.count(key)) {
      ok = IsBoolOrNull(v);
    } else if (key == "memory") {
      ok = v.is_null() || InSet(v, kMemory);
    } else if (type == "text" && key == "tokenizer") {
      ok = InSet(v, kTokenizers);
    } else if (type == "text" && (key == "min_token_len" || key == "max_token_len")) {
      ok = IsUintOrNull(v);
    } else if (type == "text" && key == "stopwords") {
      ok = ValidStopwords(v);
    } else if (type == "text" && key == "stemmer") {
      ok = ValidStemmer(v);
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace quiver::wire
