#include "ops/ingest/json_text.h"

#include <fast_float/fast_float.h>

#include <charconv>
#include <cmath>
#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace quiver::ops::ingest {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Length of the JSON number at the start of `s` (0 when there is none).
size_t JsonNumberLength(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size()) return 0;
  if (s[i] == '0') {
    ++i;
  } else if (IsDigit(s[i])) {
    while (i < s.size() && IsDigit(s[i])) ++i;
  } else {
    return 0;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i >= s.size() || !IsDigit(s[i])) return 0;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !IsDigit(s[i])) return 0;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  return i;
}

bool FiniteDouble(std::string_view s) {
  double v = 0;
  auto r = fast_float::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && std::isfinite(v);
}

bool IsNumberChar(char c) {
  return IsDigit(c) || c == '.' || c == '-' || c == 'e' || c == 'E' || c == '+' || c == ' ';
}

// Number of commas in `s`, or SIZE_MAX when a byte is neither a comma nor a number character.
size_t CountCommasScalar(const char* p, size_t n) {
  size_t commas = 0;
  for (size_t i = 0; i < n; ++i) {
    if (p[i] == ',') {
      ++commas;
    } else if (!IsNumberChar(p[i])) {
      return SIZE_MAX;
    }
  }
  return commas;
}

#if defined(__x86_64__)
__attribute__((target("avx2,popcnt"))) size_t CountCommasAvx2(const char* p, size_t n) {
  const __m256i lo = _mm256_set1_epi8('0' - 1), hi = _mm256_set1_epi8('9' + 1);
  const __m256i comma = _mm256_set1_epi8(','), dot = _mm256_set1_epi8('.');
  const __m256i minus = _mm256_set1_epi8('-'), plus = _mm256_set1_epi8('+');
  const __m256i e = _mm256_set1_epi8('e'), space = _mm256_set1_epi8(' ');
  const __m256i lower = _mm256_set1_epi8(0x20);
  __m256i all_ok = _mm256_set1_epi8(-1);
  size_t commas = 0, i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    __m256i c = _mm256_cmpeq_epi8(x, comma);
    __m256i ok = _mm256_and_si256(_mm256_cmpgt_epi8(x, lo), _mm256_cmpgt_epi8(hi, x));
    ok = _mm256_or_si256(ok, _mm256_or_si256(c, _mm256_cmpeq_epi8(x, dot)));
    ok = _mm256_or_si256(ok,
                         _mm256_or_si256(_mm256_cmpeq_epi8(x, minus), _mm256_cmpeq_epi8(x, plus)));
    ok = _mm256_or_si256(ok, _mm256_or_si256(_mm256_cmpeq_epi8(_mm256_or_si256(x, lower), e),
                                             _mm256_cmpeq_epi8(x, space)));
    all_ok = _mm256_and_si256(all_ok, ok);
    commas +=
        static_cast<size_t>(__builtin_popcount(static_cast<uint32_t>(_mm256_movemask_epi8(c))));
  }
  if (static_cast<uint32_t>(_mm256_movemask_epi8(all_ok)) != 0xFFFFFFFFu) return SIZE_MAX;
  size_t tail = CountCommasScalar(p + i, n - i);
  return tail == SIZE_MAX ? SIZE_MAX : commas + tail;
}
#endif

size_t CountCommas(const char* p, size_t n) {
#if defined(__x86_64__)
  static const bool kAvx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
  if (kAvx2) return CountCommasAvx2(p, n);
#endif
  return CountCommasScalar(p, n);
}

}  // namespace

base::Result<size_t> CountDenseVector(std::string_view text) {
  size_t b = text.find_first_not_of(" \t\r\n");
  size_t e = text.find_last_not_of(" \t\r\n");
  if (b != std::string_view::npos && text[b] == '[' && text[e] == ']' && e > b + 1) {
    std::string_view inner = text.substr(b + 1, e - b - 1);
    char first = FirstNonSpace(inner);
    if (first != ',' && first != '\0' && inner.back() != ',') {
      size_t commas = CountCommas(inner.data(), inner.size());
      if (commas != SIZE_MAX) return commas + 1;
    }
  }
  return ScanDenseVector(text);
}

void AppendJsonString(std::string& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the current run of characters that need no escaping
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

bool IsJsonNumber(std::string_view s) {
  size_t n = JsonNumberLength(s);
  return n != 0 && n == s.size() && FiniteDouble(s);
}

bool IsJsonInt64(std::string_view s) {
  size_t i = s.empty() || s[0] != '-' ? 0 : 1;
  if (i >= s.size()) return false;
  if (s[i] == '0' && s.size() > i + 1) return false;
  for (size_t j = i; j < s.size(); ++j) {
    if (!IsDigit(s[j])) return false;
  }
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

base::Result<size_t> ScanDenseVector(std::string_view text) {
  size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && IsSpace(text[i])) ++i;
  };
  skip_space();
  if (i >= text.size() || text[i] != '[') return base::Status::Format("vector is not an array");
  ++i;
  skip_space();
  if (i < text.size() && text[i] == ']') return base::Status::Format("vector is empty");
  size_t count = 0;
  while (true) {
    skip_space();
    std::string_view rest = text.substr(i);
    size_t n = JsonNumberLength(rest);
    if (n == 0 || !FiniteDouble(rest.substr(0, n))) {
      return base::Status::Format("vector element " + std::to_string(count) +
                                  " is not a finite number");
    }
    i += n;
    ++count;
    skip_space();
    if (i >= text.size()) return base::Status::Format("vector array is not closed");
    if (text[i] == ']') break;
    if (text[i] != ',') {
      return base::Status::Format("vector element " + std::to_string(count - 1) +
                                  " is not a finite number");
    }
    ++i;
  }
  ++i;
  skip_space();
  if (i != text.size()) return base::Status::Format("unexpected text after the vector");
  return count;
}

void AppendFloat(std::string& out, float v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

char FirstNonSpace(std::string_view text) {
  for (char c : text) {
    if (!IsSpace(c)) return c;
  }
  return '\0';
}

}  // namespace quiver::ops::ingest
