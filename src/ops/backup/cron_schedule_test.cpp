#include "ops/backup/cron_schedule.h"

#include <gtest/gtest.h>

namespace quiver::ops {
namespace {

using std::chrono::system_clock;

system_clock::time_point At(int year, int mon, int day, int h, int m, int s = 0) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = s;
  return system_clock::from_time_t(timegm(&tm));
}

TEST(CronScheduleTest, NextFireTimes) {
  auto hourly = CronSchedule::Parse("0 * * * *");
  ASSERT_TRUE(hourly.ok());
  EXPECT_EQ(hourly.value().Next(At(2026, 11, 24, 1, 30)), At(2026, 11, 24, 2, 0));
  EXPECT_EQ(hourly.value().Interval(), std::chrono::hours(1));
  auto quarter = CronSchedule::Parse("*/15 2-3 * * *").value();
  EXPECT_EQ(quarter.Next(At(2026, 11, 24, 1, 30)), At(2026, 11, 24, 2, 0));
  EXPECT_EQ(quarter.Next(At(2026, 11, 24, 3, 45)), At(2026, 11, 25, 2, 0));
  auto sunday = CronSchedule::Parse("30 4 * * 0").value();  // 2026-11-29 is a Sunday
  EXPECT_EQ(sunday.Next(At(2026, 11, 24, 0, 0)), At(2026, 11, 29, 4, 30));
  EXPECT_EQ(CronSchedule::Parse("30 4 * * 7").value().Next(At(2026, 11, 24, 0, 0)),
            At(2026, 11, 29, 4, 30));
  auto first = CronSchedule::Parse("0 0 1 * *").value();
  EXPECT_EQ(first.Next(At(2026, 11, 24, 0, 0)), At(2026, 12, 1, 0, 0));
  EXPECT_EQ(CronSchedule::Parse("@daily").value().Next(At(2026, 11, 24, 0, 0)),
            At(2026, 11, 25, 0, 0));
}

TEST(CronScheduleTest, EveryInterval) {
  auto every = CronSchedule::Parse("@every 5s").value();
  EXPECT_EQ(every.Next(At(2026, 11, 24, 0, 0, 2)), At(2026, 11, 24, 0, 0, 5));
  EXPECT_EQ(every.Interval(), std::chrono::seconds(5));
  EXPECT_EQ(CronSchedule::Parse("@every 2h").value().Interval(), std::chrono::hours(2));
}

TEST(CronScheduleTest, RejectsMalformedExpressions) {
  for (const char* bad : {"", "* * * *", "60 * * * *", "* 24 * * *", "*/0 * * * *", "a * * * *",
                          "5-1 * * * *", "@every", "@every 5x", "@every -5s", "1,,2 * * * *"}) {
    EXPECT_FALSE(CronSchedule::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace quiver::ops
