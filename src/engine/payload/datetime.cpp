// ParseDatetimeMicros: the formats of Qdrant's DateTimePayloadType::from_str
// (lib/segment/src/types.rs), which tries chrono's RFC 3339 parser, then
// "%Y-%m-%dT%H:%M:%S%.f%#z" / "%Y-%m-%d %H:%M:%S%.f%#z", then the zone-less (UTC) forms
// "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M" and "%Y-%m-%d".
#include "engine/payload/datetime.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace quiver::engine {

namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  bool Done() const { return pos_ == s_.size(); }
  char Peek() const { return Done() ? '\0' : s_[pos_]; }
  bool Eat(char c) {
    if (Peek() != c || Done()) return false;
    ++pos_;
    return true;
  }
  // Reads between min_digits and max_digits decimal digits (chrono pads are optional).
  bool Number(int min_digits, int max_digits, int& out) {
    int n = 0;
    out = 0;
    while (n < max_digits && !Done() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      out = out * 10 + (s_[pos_] - '0');
      ++pos_;
      ++n;
    }
    return n >= min_digits;
  }
  // Fraction digits after '.': returns microseconds (digits past the sixth are ignored).
  bool Fraction(int64_t& micros) {
    micros = 0;
    int n = 0;
    while (!Done() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      if (n < 6) micros = micros * 10 + (s_[pos_] - '0');
      ++pos_;
      ++n;
    }
    for (int i = n; i < 6; ++i) micros *= 10;
    return n > 0;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// "Z" / "z", or "+HH", "+HHMM", "+HH:MM" (chrono's permissive %#z); offset in seconds.
bool ParseOffset(Scanner& in, int64_t& offset_s) {
  if (in.Eat('Z') || in.Eat('z')) {
    offset_s = 0;
    return true;
  }
  int sign = 0;
  if (in.Eat('+')) {
    sign = 1;
  } else if (in.Eat('-')) {
    sign = -1;
  } else {
    return false;
  }
  int hh = 0;
  int mm = 0;
  if (!in.Number(2, 2, hh)) return false;
  if (!in.Done()) {
    in.Eat(':');
    if (!in.Number(2, 2, mm)) return false;
  }
  if (hh > 23 || mm > 59) return false;
  offset_s = sign * (hh * 3600 + mm * 60);
  return true;
}

}  // namespace

std::optional<int64_t> ParseDatetimeMicros(std::string_view text) {
  Scanner in(text);
  int year = 0;
  int month = 0;
  int day = 0;
  if (!in.Number(4, 4, year) || !in.Eat('-') || !in.Number(1, 2, month) || !in.Eat('-') ||
      !in.Number(1, 2, day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return std::nullopt;
  int64_t seconds = DaysFromCivil(year, month, day) * 86400;
  if (in.Done()) return seconds * 1'000'000;

  if (!in.Eat('T') && !in.Eat('t') && !in.Eat(' ')) return std::nullopt;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!in.Number(1, 2, hour) || !in.Eat(':') || !in.Number(1, 2, minute)) return std::nullopt;
  if (hour > 23 || minute > 59) return std::nullopt;
  seconds += hour * 3600 + minute * 60;
  if (in.Done()) return seconds * 1'000'000;  // "%Y-%m-%d %H:%M"

  if (!in.Eat(':') || !in.Number(1, 2, second)) return std::nullopt;
  // chrono accepts a leap second (60); its timestamp is that of the next minute.
  if (second > 60) return std::nullopt;
  seconds += second;
  int64_t micros = 0;
  if (in.Eat('.') && !in.Fraction(micros)) return std::nullopt;
  if (!in.Done()) {
    int64_t offset_s = 0;
    if (!ParseOffset(in, offset_s) || !in.Done()) return std::nullopt;
    seconds -= offset_s;
  }
  return seconds * 1'000'000 + micros;
}

}  // namespace quiver::engine
