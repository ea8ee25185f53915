#include "engine/filter/text_tokenizer.h"

#include <locale.h>  // newlocale, iswalnum_l, towlower_l (POSIX)

#include <algorithm>
#include <clocale>
#include <cwctype>
#include <functional>

namespace quiver::engine {
namespace {

// NLTK's English stop words: the list Qdrant's `"stopwords": "english"` uses.
constexpr const char* kEnglish[] = {
    "i",         "me",        "my",         "myself",  "we",      "our",     "ours",
    "ourselves", "you",       "you're",     "you've",  "you'll",  "you'd",   "your",
    "yours",     "yourself",  "yourselves", "he",      "him",     "his",     "himself",
    "she",       "she's",     "her",        "hers",    "herself", "it",      "it's",
    "its",       "itself",    "they",       "them",    "their",   "theirs",  "themselves",
    "what",      "which",     "who",        "whom",    "this",    "that",    "that'll",
    "these",     "those",     "am",         "is",      "are",     "was",     "were",
    "be",        "been",      "being",      "have",    "has",     "had",     "having",
    "do",        "does",      "did",        "doing",   "a",       "an",      "the",
    "and",       "but",       "if",         "or",      "because", "as",      "until",
    "while",     "of",        "at",         "by",      "for",     "with",    "about",
    "against",   "between",   "into",       "through", "during",  "before",  "after",
    "above",     "below",     "to",         "from",    "up",      "down",    "in",
    "out",       "on",        "off",        "over",    "under",   "again",   "further",
    "then",      "once",      "here",       "there",   "when",    "where",   "why",
    "how",       "all",       "any",        "both",    "each",    "few",     "more",
    "most",      "other",     "some",       "such",    "no",      "nor",     "not",
    "only",      "own",       "same",       "so",      "than",    "too",     "very",
    "s",         "t",         "can",        "will",    "just",    "don",     "don't",
    "should",    "should've", "now",        "d",       "ll",      "m",       "o",
    "re",        "ve",        "y",          "ain",     "aren",    "aren't",  "couldn",
    "couldn't",  "didn",      "didn't",     "doesn",   "doesn't", "hadn",    "hadn't",
    "hasn",      "hasn't",    "haven",      "haven't", "isn",     "isn't",   "ma",
    "mightn",    "mightn't",  "mustn",      "mustn't", "needn",   "needn't", "shan",
    "shan't",    "shouldn",   "shouldn't",  "wasn",    "wasn't",  "weren",   "weren't",
    "won",       "won't",     "wouldn",     "wouldn't"};

// Unicode classification and case mapping from glibc's C.UTF-8 tables (null: ASCII only).
locale_t Utf8Locale() {
  static locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return loc;
}

// Decodes one UTF-8 code point at s[i] (advancing i); invalid bytes decode as themselves.
char32_t Next(std::string_view s, size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 1;
  if (i + len > s.size()) len = 1;
  char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (int k = 1; k < len; ++k) {
    const auto cont = static_cast<unsigned char>(s[i + k]);
    if ((cont & 0xC0) != 0x80) {
      len = 1;
      c = b;
      break;
    }
    c = (c << 6) | (cont & 0x3F);
  }
  i += len;
  return c;
}

void Append(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool IsAlnum(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
  locale_t loc = Utf8Locale();
  return loc ? iswalnum_l(static_cast<wint_t>(c), loc) != 0 : true;
}

bool IsSpace(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r');
  locale_t loc = Utf8Locale();
  return loc ? iswspace_l(static_cast<wint_t>(c), loc) != 0 : false;
}

char32_t Lower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  locale_t loc = Utf8Locale();
  return loc ? static_cast<char32_t>(towlower_l(static_cast<wint_t>(c), loc)) : c;
}

size_t CharCount(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    Next(s, i);
    ++n;
  }
  return n;
}

// Splits `text` into words (at non-alphanumerics, or at whitespace), lowercased when asked.
void Words(const TextIndexParams& p, std::string_view text,
           const std::function<void(std::string&&)>& emit) {
  const bool by_space = p.tokenizer == TextIndexParams::Tokenizer::kWhitespace;
  std::string word;
  for (size_t i = 0; i < text.size();) {
    char32_t c = Next(text, i);
    const bool separator = by_space ? IsSpace(c) : !IsAlnum(c);
    if (separator) {
      if (!word.empty()) emit(std::move(word));
      word.clear();
      continue;
    }
    Append(word, p.lowercase ? Lower(c) : c);
  }
  if (!word.empty()) emit(std::move(word));
}

bool LengthOk(const TextIndexParams& p, const std::string& token) {
  if (p.min_token_len && token.size() < *p.min_token_len && CharCount(token) < *p.min_token_len)
    return false;
  if (p.max_token_len && token.size() > *p.max_token_len && CharCount(token) > *p.max_token_len)
    return false;
  return true;
}

// The first n characters of `word` (all of it when shorter).
std::string PrefixChars(const std::string& word, size_t n) {
  size_t i = 0;
  for (size_t k = 0; k < n && i < word.size(); ++k) Next(word, i);
  return word.substr(0, i);
}

}  // namespace

TextIndexParams TextIndexParams::FromSchema(const Value& params) {
  TextIndexParams p;
  if (!params.is_object()) return p;
  if (const Value* t = params.Find("tokenizer"); t && t->is_string()) {
    const std::string& name = t->as_string();
    p.tokenizer = name == "whitespace"     ? Tokenizer::kWhitespace
                  : name == "prefix"       ? Tokenizer::kPrefix
                  : name == "multilingual" ? Tokenizer::kMultilingual
                                           : Tokenizer::kWord;
  }
  if (const Value* l = params.Find("lowercase"); l && l->is_bool()) p.lowercase = l->as_bool();
  auto length = [&](const char* key) -> std::optional<size_t> {
    const Value* v = params.Find(key);
    if (v && v->is_int() && v->as_int() >= 0) return static_cast<size_t>(v->as_int());
    return std::nullopt;
  };
  p.min_token_len = length("min_token_len");
  p.max_token_len = length("max_token_len");
  auto add_language = [&](const Value& lang) {
    if (lang.is_string() && lang.as_string() == "english") {
      for (const char* w : kEnglish) p.stopwords.insert(w);
    }
  };
  if (const Value* s = params.Find("stopwords")) {
    if (s->is_string()) add_language(*s);
    if (s->is_object()) {
      if (const Value* langs = s->Find("languages"); langs && langs->is_array()) {
        for (const Value& l : langs->as_array()) add_language(l);
      }
      if (const Value* custom = s->Find("custom"); custom && custom->is_array()) {
        for (const Value& w : custom->as_array()) {
          if (!w.is_string()) continue;
          std::string word;
          if (p.lowercase) {
            const std::string& text = w.as_string();
            for (size_t i = 0; i < text.size();) Append(word, Lower(Next(text, i)));
          } else {
            word = w.as_string();
          }
          p.stopwords.insert(std::move(word));
        }
      }
    }
  }
  return p;
}

std::vector<std::string> TokenizeDocument(const TextIndexParams& p, std::string_view text) {
  std::vector<std::string> out;
  Words(p, text, [&](std::string&& word) {
    if (p.stopwords.count(word)) return;
    if (p.tokenizer != TextIndexParams::Tokenizer::kPrefix) {
      if (LengthOk(p, word)) out.push_back(std::move(word));
      return;
    }
    const size_t chars = CharCount(word);
    const size_t lo = p.min_token_len.value_or(1);
    const size_t hi = std::min(chars, p.max_token_len.value_or(chars));
    for (size_t n = std::max<size_t>(lo, 1); n <= hi; ++n) {
      std::string prefix = PrefixChars(word, n);
      if (LengthOk(p, prefix)) out.push_back(std::move(prefix));
    }
    // A word shorter than min_token_len is still indexed whole (Qdrant emits the word once the
    // prefixes run past its end), unless the length filter drops it.
    if (chars < lo && LengthOk(p, word)) out.push_back(std::move(word));
  });
  return out;
}

std::vector<std::string> TokenizeQuery(const TextIndexParams& p, std::string_view text) {
  if (p.tokenizer != TextIndexParams::Tokenizer::kPrefix) return TokenizeDocument(p, text);
  std::vector<std::string> out;
  Words(p, text, [&](std::string&& word) {
    if (p.max_token_len) word = PrefixChars(word, *p.max_token_len);
    if (LengthOk(p, word)) out.push_back(std::move(word));
  });
  return out;
}

}  // namespace quiver::engine
