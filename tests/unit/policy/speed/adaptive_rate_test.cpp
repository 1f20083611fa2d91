// AdaptiveRate: starts at the ceiling, steps down on throttling (never below the floor), up
// after a streak of successes (never above the ceiling); a reload clamps it into the new range.
#include "policy/speed/adaptive_rate.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace sluice::policy::speed {
namespace {

using namespace std::chrono_literals;

config::AdaptiveSpeed settings(std::uint64_t min_per_hour, double up, double down,
                               std::uint32_t streak) {
    return {{min_per_hour, 1h}, up, down, streak};
}

// current() in messages per hour, rounded (current() may use a longer period for precision).
std::uint64_t per_hour(const AdaptiveRate& rate) {
    const auto current = rate.current();
    return static_cast<std::uint64_t>(
        std::llround(static_cast<double>(current.count) * 3'600'000.0 /
                     static_cast<double>(current.per.count())));
}

TEST(AdaptiveRate, StartsAtTheCeiling) {
    AdaptiveRate rate({1000, 1h}, settings(100, 0.1, 0.5, 3));
    EXPECT_TRUE(rate.at_ceiling());
    EXPECT_EQ(per_hour(rate), 1000u);
    EXPECT_NEAR(rate.per_second(), 1000.0 / 3600.0, 1e-12);
}

TEST(AdaptiveRate, StepsDownOnThrottlingNotBelowTheFloor) {
    AdaptiveRate rate({1000, 1h}, settings(100, 0.1, 0.5, 3));
    const std::uint64_t want[] = {500, 250, 125, 100, 100};
    for (std::uint64_t w : want) {
        rate.on_throttled();
        EXPECT_EQ(per_hour(rate), w);
    }
}

TEST(AdaptiveRate, StepsUpAfterAStreakNotAboveTheCeiling) {
    AdaptiveRate rate({1000, 1h}, settings(100, 0.1, 0.5, 3));
    rate.on_throttled();  // 500
    EXPECT_FALSE(rate.at_ceiling());
    rate.on_success();
    rate.on_success();
    EXPECT_EQ(per_hour(rate), 500u) << "the streak is not complete";
    rate.on_success();
    EXPECT_EQ(per_hour(rate), 550u);
    // A throttle in the middle of a streak starts it over.
    rate.on_success();
    rate.on_success();
    rate.on_throttled();  // 275
    rate.on_success();
    rate.on_success();
    EXPECT_EQ(per_hour(rate), 275u);
    rate.on_success();
    EXPECT_EQ(per_hour(rate), 303u);  // 302.5 rounds to 303
    for (int i = 0; i < 300; ++i) {
        rate.on_success();
    }
    EXPECT_EQ(per_hour(rate), 1000u) << "capped at the ceiling";
    EXPECT_TRUE(rate.at_ceiling()) << "exactly: the steps stop at the ceiling";
}

TEST(AdaptiveRate, ReconfigureClampsIntoTheNewRange) {
    AdaptiveRate rate({1000, 1h}, settings(100, 0.1, 0.5, 3));
    rate.reconfigure({600, 1h}, settings(100, 0.1, 0.5, 3));
    EXPECT_EQ(per_hour(rate), 600u) << "lower ceiling";
    rate.on_throttled();
    rate.on_throttled();  // 150
    rate.reconfigure({2000, 1h}, settings(400, 0.1, 0.5, 3));
    EXPECT_EQ(per_hour(rate), 400u) << "higher floor";
    rate.reconfigure({2000, 1h}, settings(10, 0.1, 0.5, 3));
    EXPECT_EQ(per_hour(rate), 400u) << "inside the range: unchanged";
}

TEST(AdaptiveRate, FloorInAnotherPeriod) {
    AdaptiveRate rate({60, 1min}, {{360, 1h}, 0.1, 0.9, 1});  // floor 6/min
    rate.on_throttled();
    EXPECT_NEAR(rate.per_second(), 0.1, 1e-12);
    EXPECT_EQ(per_hour(rate), 360u);
}

TEST(AdaptiveRate, CurrentIsPreciseAndNeverZero) {
    // 60/min stepped down to 0.47/min: a whole count per minute would be 0 (no limit at all).
    AdaptiveRate rate({60, 1min}, {{10, 1h}, 0.1, 0.5, 1});
    for (int i = 0; i < 7; ++i) rate.on_throttled();
    const auto current = rate.current();
    EXPECT_GT(current.count, 0u);
    const double per_second =
        static_cast<double>(current.count) * 1000.0 / static_cast<double>(current.per.count());
    EXPECT_NEAR(per_second, rate.per_second(), rate.per_second() * 0.001);
    EXPECT_NEAR(rate.per_second(), 60.0 / 128 / 60, 1e-12);
}

}  // namespace
}  // namespace sluice::policy::speed
