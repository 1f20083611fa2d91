// RateLimiter on a hand-driven clock: the configured rate is met over simulated hours, evenly
// spaced; bursts after idleness are capped; set_rate spaces the next event by the new interval.
#include "policy/speed/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::policy::speed {
namespace {

using namespace std::chrono_literals;

constexpr Instant kStart = Instant{} + 1000h;  // any origin; no clock is read

config::Rate rate(std::uint64_t count, std::chrono::milliseconds per) {
    return {count, per};
}

// A scheduler that sleeps exactly until the limiter allows the next event.
std::vector<Instant> run_eager(RateLimiter& limiter, Instant from, Instant until) {
    std::vector<Instant> events;
    for (Instant now = from; now < until; now = std::max(now, limiter.next_allowed(now))) {
        if (limiter.try_acquire(now)) {
            events.push_back(now);
        }
    }
    return events;
}

TEST(RateLimiter, ThousandPerHourOverTenHoursIsTenThousandEvenlySpaced) {
    RateLimiter limiter(rate(1000, 1h));
    const auto events = run_eager(limiter, kStart, kStart + 10h);
    EXPECT_NEAR(static_cast<double>(events.size()), 10000.0, 1.0) << "got " << events.size();
    for (std::size_t i = 1; i < events.size(); ++i) {
        ASSERT_EQ(events[i] - events[i - 1], 3600ms) << "gap before event " << i;
    }
}

TEST(RateLimiter, PollingEverySecondMeetsTheRateInEveryHour) {
    RateLimiter limiter(rate(1000, 1h));
    std::vector<int> per_hour(10, 0);
    for (auto t = 0s; t < 10h; t += 1s) {
        if (limiter.try_acquire(kStart + t)) {
            ++per_hour[static_cast<std::size_t>(t / 1h)];
        }
    }
    int total = 0;
    for (std::size_t h = 0; h < per_hour.size(); ++h) {
        EXPECT_NEAR(per_hour[h], 1000, 1) << "hour " << h << ": got " << per_hour[h];
        total += per_hour[h];
    }
    EXPECT_NEAR(total, 10000, 1);
}

TEST(RateLimiter, OddRateDoesNotDriftOverTenHours) {
    RateLimiter limiter(rate(7, 1h));
    const auto events = run_eager(limiter, kStart, kStart + 10h);
    EXPECT_NEAR(static_cast<double>(events.size()), 70.0, 1.0);
}

TEST(RateLimiter, BurstAfterIdlenessIsCapped) {
    RateLimiter limiter(rate(60, 1min), 5);
    int taken = 0;
    while (limiter.try_acquire(kStart)) {
        ++taken;
    }
    EXPECT_EQ(taken, 5) << "the first burst";
    EXPECT_EQ(limiter.next_allowed(kStart), kStart + 1s);
    EXPECT_FALSE(limiter.try_acquire(kStart + 999ms));
    EXPECT_TRUE(limiter.try_acquire(kStart + 1s));
    EXPECT_FALSE(limiter.try_acquire(kStart + 1s));
    // A long idle period earns at most `burst` events, not one per idle interval.
    taken = 0;
    while (limiter.try_acquire(kStart + 1h)) {
        ++taken;
    }
    EXPECT_EQ(taken, 5) << "after an hour idle";
}

TEST(RateLimiter, LatenessUnderAnIntervalKeepsTheSchedule) {
    RateLimiter limiter(rate(1, 1s));
    ASSERT_TRUE(limiter.try_acquire(kStart));
    ASSERT_TRUE(limiter.try_acquire(kStart + 1900ms));  // 900 ms late
    EXPECT_FALSE(limiter.try_acquire(kStart + 1900ms)) << "never two at once";
    EXPECT_EQ(limiter.next_allowed(kStart + 1900ms), kStart + 2s) << "the schedule is kept";
    ASSERT_TRUE(limiter.try_acquire(kStart + 5s));  // a whole interval late: idle
    EXPECT_EQ(limiter.next_allowed(kStart + 5s), kStart + 6s) << "restarted at now";
}

TEST(RateLimiter, NoBurstByDefault) {
    RateLimiter limiter(rate(10, 1s));
    EXPECT_TRUE(limiter.try_acquire(kStart));
    EXPECT_FALSE(limiter.try_acquire(kStart));
    EXPECT_EQ(limiter.next_allowed(kStart), kStart + 100ms);
}

TEST(RateLimiter, NextAllowedMayBeInThePast) {
    RateLimiter limiter(rate(1, 1s));
    EXPECT_EQ(limiter.next_allowed(kStart), kStart);
    ASSERT_TRUE(limiter.try_acquire(kStart));
    EXPECT_EQ(limiter.next_allowed(kStart + 10s), kStart + 1s);
}

TEST(RateLimiter, SetRateSpacesTheNextEventByTheNewInterval) {
    RateLimiter limiter(rate(1, 1s));
    ASSERT_TRUE(limiter.try_acquire(kStart));
    limiter.set_rate(rate(2, 1s));  // a reload: faster at once, but no fresh burst
    EXPECT_EQ(limiter.next_allowed(kStart), kStart + 500ms);
    EXPECT_FALSE(limiter.try_acquire(kStart + 499ms));
    ASSERT_TRUE(limiter.try_acquire(kStart + 500ms));
    EXPECT_EQ(limiter.next_allowed(kStart + 500ms), kStart + 1s) << "the new spacing";
    EXPECT_DOUBLE_EQ(limiter.per_second(), 2.0);

    limiter.set_rate(rate(1, 10s));  // slower: the last event's new interval, not the old one
    EXPECT_EQ(limiter.next_allowed(kStart + 600ms), kStart + 10500ms);
    limiter.set_rate(rate(1, 10s));  // the same rate again changes nothing
    EXPECT_EQ(limiter.next_allowed(kStart + 600ms), kStart + 10500ms);
}

TEST(RateLimiter, UnlimitedAlwaysAllows) {
    RateLimiter limiter;
    for (int i = 0; i < 1000; ++i) {
        ASSERT_TRUE(limiter.try_acquire(kStart));
    }
    EXPECT_EQ(limiter.next_allowed(kStart), kStart);
    EXPECT_EQ(limiter.per_second(), 0.0);
    limiter.set_rate(rate(1, 1min));
    EXPECT_TRUE(limiter.try_acquire(kStart));
    EXPECT_FALSE(limiter.try_acquire(kStart + 59s));
    limiter.set_rate(std::nullopt);
    EXPECT_TRUE(limiter.try_acquire(kStart + 59s));
}

}  // namespace
}  // namespace sluice::policy::speed
