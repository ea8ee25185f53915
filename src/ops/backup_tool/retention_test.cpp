#include "ops/backup_tool/retention.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "ops/backup_tool/manifest.h"

namespace quiver::ops::backup {
namespace {

// Backups every 6 hours for 30 days, ending at `end`.
std::vector<BackupRef> Every6h(std::time_t end, int days) {
  std::vector<BackupRef> out;
  for (int i = days * 4 - 1; i >= 0; --i) {
    std::time_t t = end - static_cast<std::time_t>(i) * 6 * 3600;
    out.push_back({BackupIdFor(t), t});
  }
  return out;
}

std::vector<std::string> Kept(const std::vector<BackupRef>& all,
                              const std::vector<std::string>& deleted) {
  std::vector<std::string> kept;
  for (const auto& b : all) {
    if (std::find(deleted.begin(), deleted.end(), b.id) == deleted.end()) kept.push_back(b.id);
  }
  return kept;
}

const std::time_t kEnd = TimeOfBackupId("2026-11-24T18-15-00Z");  // a Tuesday

TEST(Retention, NoPolicyDeletesNothing) {
  EXPECT_TRUE(SelectForDeletion(Every6h(kEnd, 3), RetentionPolicy{}, kEnd).empty());
}

TEST(Retention, KeepLast) {
  auto all = Every6h(kEnd, 3);
  RetentionPolicy p;
  p.keep_last = 3;
  auto kept = Kept(all, SelectForDeletion(all, p, kEnd));
  EXPECT_EQ(kept, (std::vector<std::string>{"2026-11-24T06-15-00Z", "2026-11-24T12-15-00Z",
                                            "2026-11-24T18-15-00Z"}));
}

TEST(Retention, KeepDailyKeepsNewestOfEachDay) {
  auto all = Every6h(kEnd, 5);
  RetentionPolicy p;
  p.keep_daily = 3;
  auto kept = Kept(all, SelectForDeletion(all, p, kEnd));
  EXPECT_EQ(kept, (std::vector<std::string>{"2026-11-22T18-15-00Z", "2026-11-23T18-15-00Z",
                                            "2026-11-24T18-15-00Z"}));
}

TEST(Retention, KeepWeeklyUsesMondayWeeks) {
  auto all = Every6h(kEnd, 20);
  RetentionPolicy p;
  p.keep_weekly = 3;
  auto kept = Kept(all, SelectForDeletion(all, p, kEnd));
  // Newest of this week (Tue 24th), of the week ending Sun 22nd, and of the week ending Sun 15th.
  EXPECT_EQ(kept, (std::vector<std::string>{"2026-11-15T18-15-00Z", "2026-11-22T18-15-00Z",
                                            "2026-11-24T18-15-00Z"}));
}

TEST(Retention, RulesCombineAsUnion) {
  auto all = Every6h(kEnd, 5);
  RetentionPolicy p;
  p.keep_last = 2;
  p.keep_daily = 2;
  auto kept = Kept(all, SelectForDeletion(all, p, kEnd));
  EXPECT_EQ(kept, (std::vector<std::string>{"2026-11-23T18-15-00Z", "2026-11-24T12-15-00Z",
                                            "2026-11-24T18-15-00Z"}));
}

TEST(Retention, MaxAgeButNeverTheNewest) {
  auto all = Every6h(kEnd, 2);
  RetentionPolicy p;
  p.max_age_sec = 13 * 3600;
  auto kept = Kept(all, SelectForDeletion(all, p, kEnd));
  EXPECT_EQ(kept.size(), 3u);  // 18:15, 12:15, 06:15 of the 24th
  // Everything is too old: the newest still stays.
  auto old = SelectForDeletion(all, p, kEnd + 100 * 86400);
  EXPECT_EQ(Kept(all, old), (std::vector<std::string>{"2026-11-24T18-15-00Z"}));
}

TEST(Retention, OrderOfInputDoesNotMatter) {
  auto all = Every6h(kEnd, 2);
  std::reverse(all.begin(), all.end());
  RetentionPolicy p;
  p.keep_last = 1;
  auto kept = Kept(all, SelectForDeletion(all, p, kEnd));
  EXPECT_EQ(kept, (std::vector<std::string>{"2026-11-24T18-15-00Z"}));
}

TEST(Duration, Parses) {
  EXPECT_EQ(ParseDuration("90").value(), 90);
  EXPECT_EQ(ParseDuration("30m").value(), 1800);
  EXPECT_EQ(ParseDuration("30d").value(), 30 * 86400);
  EXPECT_EQ(ParseDuration("2w").value(), 14 * 86400);
  for (const char* bad : {"", "x", "10y", "-5d", "0h", "5 d"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace quiver::ops::backup
