// The warm-up schedule's arithmetic: day numbers, which row applies to an ISP, growth and its
// ceiling, the end of warm-up; calendar dates; and where a time zone's days begin.
#include "policy/warmup/warmup_plan.hpp"

#include <gtest/gtest.h>

#include "policy/warmup/calendar_date.hpp"
#include "policy/warmup/day_clock.hpp"

namespace sluice::policy::warmup {
namespace {

using namespace std::chrono_literals;
using config::Rate;
using config::WarmupSchedule;
using config::WarmupStep;

// The brief's example: day 1 200/day to Gmail and 1 000/day elsewhere, doubling, warm on day 30.
WarmupSchedule doubling() {
    WarmupSchedule schedule;
    schedule.name = "new-ip";
    schedule.warm_from_day = 30;
    schedule.days = {WarmupStep{1, "Gmail", 200, std::nullopt, 2.0},
                     WarmupStep{1, "", 1000, Rate{100, 1h}, 2.0}};
    return schedule;
}

TEST(WarmupPlan, DayOneIsTheStartDateAndEarlierDatesCountAsDayOne) {
    EXPECT_EQ(warmup_day(20'000, 20'000), 1u);
    EXPECT_EQ(warmup_day(20'000, 20'006), 7u);
    EXPECT_EQ(warmup_day(20'000, 19'990), 1u);
}

TEST(WarmupPlan, AnIspsOwnRowsBeatTheRowsForEveryIsp) {
    const auto schedule = doubling();
    EXPECT_EQ(limits_on(schedule, "Gmail", 1), (WarmupLimits{200, std::nullopt}));
    EXPECT_EQ(limits_on(schedule, "Yahoo", 1), (WarmupLimits{1000, Rate{100, 1h}}));
    EXPECT_EQ(limits_on(schedule, "default", 1).daily, 1000u);
}

TEST(WarmupPlan, GrowthMultipliesTheCapAndTheRateEveryDay) {
    const auto schedule = doubling();
    EXPECT_EQ(limits_on(schedule, "Gmail", 2).daily, 400u);
    EXPECT_EQ(limits_on(schedule, "Gmail", 5).daily, 3200u);
    EXPECT_EQ(limits_on(schedule, "Yahoo", 3), (WarmupLimits{4000, Rate{400, 1h}}));
    // 200 x 2^28 is far beyond any cap, and stays a number.
    EXPECT_EQ(limits_on(schedule, "Gmail", 29).daily, 200ull << 28);
}

TEST(WarmupPlan, ARowHoldsUntilTheNextOneAndWarmMeansNoLimits) {
    WarmupSchedule schedule;
    schedule.warm_from_day = 10;
    schedule.days = {WarmupStep{1, "", 100, std::nullopt, 1.0},
                     WarmupStep{4, "", 500, std::nullopt, 1.0},
                     WarmupStep{6, "Gmail", 50, std::nullopt, 1.5}};
    EXPECT_EQ(limits_on(schedule, "Gmail", 3).daily, 100u);  // before Gmail's own row
    EXPECT_EQ(limits_on(schedule, "Gmail", 5).daily, 500u);
    EXPECT_EQ(limits_on(schedule, "Gmail", 6).daily, 50u);
    EXPECT_EQ(limits_on(schedule, "Gmail", 8).daily, 112u);  // 50 x 1.5^2, rounded down
    EXPECT_EQ(limits_on(schedule, "Other", 9).daily, 500u);
    EXPECT_FALSE(is_warm(schedule, 9));
    EXPECT_TRUE(is_warm(schedule, 10));
    EXPECT_EQ(limits_on(schedule, "Other", 10), WarmupLimits{});
}

TEST(WarmupPlan, NoRowNoLimits) {
    WarmupSchedule schedule;
    schedule.warm_from_day = 10;
    schedule.days = {WarmupStep{3, "Gmail", 100, std::nullopt, 1.0}};
    EXPECT_EQ(limits_on(schedule, "Gmail", 2), WarmupLimits{});
    EXPECT_EQ(limits_on(schedule, "Yahoo", 5), WarmupLimits{});
}

TEST(CalendarDate, ParsesRealDaysOnly) {
    EXPECT_EQ(parse_date("1970-01-01"), 0);
    EXPECT_EQ(parse_date("2026-12-07"), 20'794);
    EXPECT_EQ(parse_date("2028-02-29"), 21'243);
    for (const char* bad : {"2026-02-29", "2026-13-01", "2026-1-01", "2026-12-07x", "26-12-07",
                            "1969-12-31", "2026-12-+7", ""}) {
        EXPECT_EQ(parse_date(bad), std::nullopt) << bad;
    }
    EXPECT_EQ(format_date(20'794), "2026-12-07");
    EXPECT_EQ(format_date(0), "1970-01-01");
}

std::chrono::sys_seconds at(const char* date, std::chrono::seconds time_of_day) {
    return std::chrono::sys_seconds(std::chrono::days(*parse_date(date))) + time_of_day;
}

TEST(DayClock, UtcDaysTurnAtUtcMidnight) {
    const auto utc = DayClock::for_zone("UTC");
    ASSERT_TRUE(utc);
    EXPECT_EQ(utc->local_date(at("2026-12-07", 23h + 59min)), *parse_date("2026-12-07"));
    EXPECT_EQ(utc->local_date(at("2026-12-08", 0s)), *parse_date("2026-12-08"));
    EXPECT_EQ(utc->start_of(*parse_date("2026-12-08")), at("2026-12-08", 0s));
}

TEST(DayClock, ZoneDaysTurnAtLocalMidnightAcrossDaylightSaving) {
    const auto berlin = DayClock::for_zone("Europe/Berlin");
    ASSERT_TRUE(berlin) << "the tzdata package is needed";
    // Winter: UTC+1, so 23:30 UTC on the 7th is already the 8th in Berlin.
    EXPECT_EQ(berlin->local_date(at("2026-12-07", 23h + 30min)), *parse_date("2026-12-08"));
    EXPECT_EQ(berlin->start_of(*parse_date("2026-12-08")), at("2026-12-07", 23h));
    // Summer: UTC+2.
    EXPECT_EQ(berlin->start_of(*parse_date("2026-07-01")), at("2026-06-30", 22h));
    // The day clocks change on is 23 hours long.
    EXPECT_EQ(
        berlin->start_of(*parse_date("2026-03-30")) - berlin->start_of(*parse_date("2026-03-29")),
        23h);
    EXPECT_FALSE(DayClock::for_zone("Mars/Olympus_Mons"));
}

}  // namespace
}  // namespace sluice::policy::warmup
