#include "ops/backup/cron_schedule.h"

#include <ctime>
#include <sstream>
#include <vector>

namespace quiver::ops {
namespace {

// Parses one field into a bit set over [lo, hi].
base::Result<uint64_t> Field(const std::string& text, int lo, int hi, const char* name) {
  auto bad = [&](const std::string& why) {
    return base::Status::BadInput(std::string("cron field ") + name + " `" + text + "`: " + why);
  };
  uint64_t bits = 0;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    if (item.empty()) return bad("empty list item");
    int step = 1;
    auto slash = item.find('/');
    std::string range = item.substr(0, slash);
    if (slash != std::string::npos) {
      try {
        step = std::stoi(item.substr(slash + 1));
      } catch (...) {
        return bad("bad step");
      }
      if (step <= 0) return bad("step must be positive");
    }
    int a = lo, b = hi;
    if (range != "*") {
      auto dash = range.find('-');
      try {
        size_t used = 0;
        a = std::stoi(range.substr(0, dash), &used);
        if (used != range.substr(0, dash).size()) return bad("not a number");
        b = a;
        if (dash != std::string::npos)
          b = std::stoi(range.substr(dash + 1));
        else if (slash != std::string::npos)
          b = hi;
      } catch (...) {
        return bad("not a number");
      }
    }
    if (a < lo || b > hi || a > b) {
      return bad("out of range " + std::to_string(lo) + "-" + std::to_string(hi));
    }
    for (int v = a; v <= b; v += step) bits |= uint64_t(1) << v;
  }
  return bits;
}

}  // namespace

base::Result<CronSchedule> CronSchedule::Parse(const std::string& expr) {
  CronSchedule s;
  s.expr_ = expr;
  std::string e = expr;
  if (e == "@hourly") e = "0 * * * *";
  if (e == "@daily") e = "0 0 * * *";
  if (e == "@weekly") e = "0 0 * * 0";
  if (e.rfind("@every ", 0) == 0) {
    std::string d = e.substr(7);
    if (d.size() < 2) return base::Status::BadInput("schedule `" + expr + "`: bad duration");
    char unit = d.back();
    long n = 0;
    try {
      n = std::stol(d.substr(0, d.size() - 1));
    } catch (...) {
      return base::Status::BadInput("schedule `" + expr + "`: bad duration");
    }
    long mult = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 0;
    if (mult == 0 || n <= 0) {
      return base::Status::BadInput("schedule `" + expr + "`: use @every <N>s, <N>m or <N>h");
    }
    s.every_ = std::chrono::seconds(n * mult);
    return s;
  }
  std::stringstream ss(e);
  std::vector<std::string> f;
  std::string part;
  while (ss >> part) f.push_back(part);
  if (f.size() != 5) {
    return base::Status::BadInput(
        "schedule `" + expr + "`: a cron expression has 5 fields (minute hour day month weekday)");
  }
  auto m = Field(f[0], 0, 59, "minute");
  auto h = Field(f[1], 0, 23, "hour");
  auto dom = Field(f[2], 1, 31, "day-of-month");
  auto mon = Field(f[3], 1, 12, "month");
  auto dow = Field(f[4], 0, 7, "day-of-week");
  for (const auto* r : {&m, &h, &dom, &mon, &dow}) {
    if (!r->ok()) return r->status();
  }
  s.minutes_ = m.value();
  s.hours_ = static_cast<uint32_t>(h.value());
  s.days_ = static_cast<uint32_t>(dom.value());
  s.months_ = static_cast<uint16_t>(mon.value());
  uint64_t w = dow.value();
  if (w & (1u << 7)) w |= 1;  // 7 is Sunday too
  s.weekdays_ = static_cast<uint8_t>(w & 0x7F);
  s.day_any_ = f[2] == "*";
  s.weekday_any_ = f[4] == "*";
  return s;
}

std::chrono::system_clock::time_point CronSchedule::Next(
    std::chrono::system_clock::time_point after) const {
  using namespace std::chrono;
  if (every_) {
    // Aligned to the epoch so that restarts keep the same rhythm.
    auto secs = duration_cast<seconds>(after.time_since_epoch());
    auto n = secs / *every_ + 1;
    return system_clock::time_point(*every_ * n);
  }
  auto t = time_point_cast<minutes>(after) + minutes(1);
  for (int i = 0; i < 366 * 24 * 60 * 5; ++i, t += minutes(1)) {
    std::time_t tt = system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    if (!(minutes_ >> tm.tm_min & 1) || !(hours_ >> tm.tm_hour & 1) ||
        !(months_ >> (tm.tm_mon + 1) & 1)) {
      continue;
    }
    bool dom = days_ >> tm.tm_mday & 1;
    bool dow = weekdays_ >> tm.tm_wday & 1;
    // Standard cron: when both day fields are restricted, either may match.
    bool day = day_any_ && weekday_any_ ? true : day_any_ ? dow : weekday_any_ ? dom : (dom || dow);
    if (day) return t;
  }
  return t;  // unreachable for valid expressions (e.g. Feb 30 never fires)
}

std::chrono::seconds CronSchedule::Interval() const {
  if (every_) return *every_;
  auto now = std::chrono::system_clock::now();
  auto a = Next(now);
  auto b = Next(a);
  return std::chrono::duration_cast<std::chrono::seconds>(b - a);
}

}  // namespace quiver::ops
