#include "ops/backup_tool/retention.h"

#include <algorithm>
#include <set>

namespace quiver::ops::backup {
namespace {

int64_t DayOf(std::time_t t) { return static_cast<int64_t>(t) / 86400 - (t % 86400 < 0 ? 1 : 0); }

// ISO week: days since the Monday 1970-01-05 divided by 7 (1970-01-01 was a Thursday).
int64_t WeekOf(std::time_t t) {
  int64_t d = DayOf(t) - 4;
  return d >= 0 ? d / 7 : (d - 6) / 7;
}

}  // namespace

std::vector<std::string> SelectForDeletion(const std::vector<BackupRef>& backups,
                                           const RetentionPolicy& policy, std::time_t now) {
  if (backups.empty() || !policy.Any()) return {};
  std::vector<size_t> order(backups.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (backups[a].time != backups[b].time) return backups[a].time > backups[b].time;
    return backups[a].id > backups[b].id;
  });
  std::vector<bool> keep(backups.size(), false);
  const bool keep_rules = policy.keep_last > 0 || policy.keep_daily > 0 || policy.keep_weekly > 0;
  if (keep_rules) {
    std::set<int64_t> days, weeks;
    for (size_t rank = 0; rank < order.size(); ++rank) {
      size_t i = order[rank];
      if (static_cast<int>(rank) < policy.keep_last) keep[i] = true;
      int64_t day = DayOf(backups[i].time), week = WeekOf(backups[i].time);
      if (!days.count(day) && static_cast<int>(days.size()) < policy.keep_daily) {
        days.insert(day);
        keep[i] = true;
      }
      if (!weeks.count(week) && static_cast<int>(weeks.size()) < policy.keep_weekly) {
        weeks.insert(week);
        keep[i] = true;
      }
    }
  } else {
    std::fill(keep.begin(), keep.end(), true);
  }
  if (policy.max_age_sec > 0) {
    for (size_t i = 0; i < backups.size(); ++i) {
      if (now - backups[i].time > policy.max_age_sec) keep[i] = false;
    }
  }
  keep[order.front()] = true;  // never the newest good backup
  std::vector<std::string> out;
  for (size_t i = 0; i < backups.size(); ++i) {
    if (!keep[i]) out.push_back(backups[i].id);
  }
  return out;
}

base::Result<int64_t> ParseDuration(const std::string& text) {
  if (text.empty()) return base::Status::BadInput("empty duration");
  size_t pos = 0;
  int64_t n = 0;
  try {
    n = std::stoll(text, &pos);
  } catch (...) {
    return base::Status::BadInput("invalid duration \"" + text +
                                  "\" (e.g. 90s, 30m, 12h, 30d, 8w)");
  }
  std::string unit = text.substr(pos);
  int64_t mult = 0;
  if (unit.empty() || unit == "s") mult = 1;
  if (unit == "m") mult = 60;
  if (unit == "h") mult = 3600;
  if (unit == "d") mult = 86400;
  if (unit == "w") mult = 7 * 86400;
  if (mult == 0 || n <= 0 || n > (int64_t{1} << 40)) {
    return base::Status::BadInput("invalid duration \"" + text +
                                  "\" (e.g. 90s, 30m, 12h, 30d, 8w)");
  }
  return n * mult;
}

}  // namespace quiver::ops::backup
