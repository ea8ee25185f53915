// A cron schedule: five fields (minute hour day-of-month month day-of-week) with *, numbers, lists,
// ranges and steps, evaluated in UTC; or "@every <N>s|m|h" for a fixed interval; or the shortcuts
// @hourly, @daily, @weekly.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "base/status.h"

namespace quiver::ops {

class CronSchedule {
 public:
  // BadInput naming the problem on a malformed expression.
  static base::Result<CronSchedule> Parse(const std::string& expr);

  // The first fire time strictly after `after` (UTC).
  std::chrono::system_clock::time_point Next(std::chrono::system_clock::time_point after) const;
  // The typical gap between two runs (for "backup older than twice its schedule" alerts).
  std::chrono::seconds Interval() const;
  const std::string& expression() const { return expr_; }

 private:
  std::string expr_;
  std::optional<std::chrono::seconds> every_;
  uint64_t minutes_ = 0;  // bit i: minute i
  uint32_t hours_ = 0;
  uint32_t days_ = 0;     // bits 1..31
  uint16_t months_ = 0;   // bits 1..12
  uint8_t weekdays_ = 0;  // bits 0..6, Sunday = 0
  bool day_any_ = true, weekday_any_ = true;
};

}  // namespace quiver::ops
