// Retry sequences of each interval kind (fixed, growing with a cap, random within a range,
// list), max_attempts and expiry, with time passed by hand.
#include "policy/retry/retry_rule.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::policy::retry {
namespace {

using namespace std::chrono_literals;
using config::RetryIntervalKind;
using config::RetryRule;

constexpr TimePoint kArrival{std::chrono::seconds(1'700'000'000)};

std::string describe(const std::variant<RetryAt, Expired>& result) {
    if (const auto* retry = std::get_if<RetryAt>(&result)) {
        return "retry at +" + std::to_string((retry->at - kArrival).count()) + "s";
    }
    return "expired (deadline +" +
           std::to_string((std::get<Expired>(result).deadline - kArrival).count()) + "s)";
}

// Fails every attempt at once; the sequence of waits until expiry.
std::vector<long> waits_until_expiry(const RetryRule& rule, double random_unit) {
    std::vector<long> waits;
    TimePoint now = kArrival;
    for (std::uint32_t attempts = 1; attempts < 1000; ++attempts) {
        auto next = next_retry(rule, attempts, kArrival, now, random_unit);
        if (std::holds_alternative<Expired>(next)) {
            break;
        }
        const TimePoint at = std::get<RetryAt>(next).at;
        waits.push_back(static_cast<long>((at - now).count()));
        now = at;
    }
    return waits;
}

RetryRule rule_of(RetryIntervalKind kind) {
    RetryRule rule;
    rule.name = "r";
    rule.kind = kind;
    return rule;
}

TEST(RetryRule, FixedEveryInterval) {
    RetryRule rule = rule_of(RetryIntervalKind::fixed);
    rule.interval = 10min;
    rule.expire_after = 1h;
    EXPECT_EQ(waits_until_expiry(rule, 0.0), (std::vector<long>{600, 600, 600, 600, 600, 600}));
}

TEST(RetryRule, GrowingDoublesUpToTheCap) {
    RetryRule rule = rule_of(RetryIntervalKind::growing);
    rule.interval = 5min;
    rule.factor = 2.0;
    rule.max_interval = 1h;
    rule.expire_after = 4h;
    // 5m 10m 20m 40m 60m 60m (=195m), then 60m more would pass 240m only at 255m.
    EXPECT_EQ(waits_until_expiry(rule, 0.0), (std::vector<long>{300, 600, 1200, 2400, 3600, 3600}));
    const std::pair<std::uint32_t, long> table[] = {{1, 300},  {2, 600},   {3, 1200},   {4, 2400},
                                                    {5, 3600}, {50, 3600}, {4000, 3600}};
    for (auto [attempts, want] : table) {
        EXPECT_EQ(retry_interval(rule, attempts, 0.5).count(), want) << "attempt " << attempts;
    }
}

TEST(RetryRule, GrowingByOneAndAHalfRoundsUpToSeconds) {
    RetryRule rule = rule_of(RetryIntervalKind::growing);
    rule.interval = 1001ms;
    rule.factor = 1.5;
    rule.max_interval = 1h;
    EXPECT_EQ(retry_interval(rule, 1, 0).count(), 2);  // 1.001s -> 2s
    EXPECT_EQ(retry_interval(rule, 2, 0).count(), 2);  // 1.5015s -> 2s
    EXPECT_EQ(retry_interval(rule, 3, 0).count(), 3);  // 2.25225s -> 3s
}

TEST(RetryRule, RandomStaysWithinTheRange) {
    RetryRule rule = rule_of(RetryIntervalKind::random);
    rule.min_interval = 3h;
    rule.max_interval = 5h;
    EXPECT_EQ(retry_interval(rule, 1, 0.0), 3h);
    EXPECT_EQ(retry_interval(rule, 7, 0.0), 3h);
    EXPECT_EQ(retry_interval(rule, 1, 0.5), 4h);
    const auto high = retry_interval(rule, 1, 0.999);
    EXPECT_GE(high, 4h + 59min);
    EXPECT_LE(high, 5h);
    EXPECT_EQ(high.count(), 3 * 3600 + 7193);  // 0.999 * 2h = 7192.8s, rounded up
    rule.expire_after = 10h;
    EXPECT_EQ(waits_until_expiry(rule, 0.0), (std::vector<long>{10800, 10800, 10800}));
    EXPECT_EQ(waits_until_expiry(rule, 0.999).size(), 2u);  // 4h59m52s twice, a third passes 10h
}

TEST(RetryRule, ListWalksThenRepeatsTheLast) {
    RetryRule rule = rule_of(RetryIntervalKind::list);
    rule.intervals = {5min, 10min, 1h};
    rule.expire_after = 3h;
    EXPECT_EQ(waits_until_expiry(rule, 0.0), (std::vector<long>{300, 600, 3600, 3600}));
}

// The implicit "default" rule (kind list) must schedule exactly as RetrySchedule did from
// delivery.retry_intervals and queue_lifetime before retry rules existed.
TEST(RetryRule, ListMatchesTheRetrySchedule) {
    const std::vector<std::chrono::milliseconds> intervals = {1500ms, 5min, 10min, 1h};
    RetryRule rule = rule_of(RetryIntervalKind::list);
    rule.intervals = intervals;
    rule.expire_after = 3h + 500ms;
    const RetrySchedule schedule(intervals, rule.expire_after);
    for (std::uint32_t attempts = 0; attempts < 8; ++attempts) {
        for (auto now = 0s; now <= 4h; now += 7min + 13s) {
            const auto want = schedule.next_attempt(attempts, kArrival, kArrival + now);
            const auto got = next_retry(rule, attempts, kArrival, kArrival + now, 0.7);
            ASSERT_EQ(describe(got), describe(want))
                << "attempts " << attempts << " at +" << now.count() << "s";
        }
    }
}

TEST(RetryRule, MaxAttemptsEndsTheSequence) {
    RetryRule rule = rule_of(RetryIntervalKind::fixed);
    rule.interval = 1min;
    rule.max_attempts = 3;
    rule.expire_after = 1h;
    EXPECT_EQ(waits_until_expiry(rule, 0.0), (std::vector<long>{60, 60}));
    EXPECT_EQ(describe(next_retry(rule, 3, kArrival, kArrival + 2min, 0)),
              "expired (deadline +3600s)");
}

TEST(RetryRule, ExpiryAndTheFirstAttempt) {
    RetryRule rule = rule_of(RetryIntervalKind::fixed);
    rule.interval = 10min;
    rule.expire_after = 1h;
    const struct {
        std::uint32_t attempts;
        std::chrono::seconds now;
        std::string want;
    } cases[] = {
        {0, 0s, "retry at +0s"},
        {0, 1h, "expired (deadline +3600s)"},
        {1, 49min, "retry at +3540s"},
        {1, 50min, "retry at +3600s"},  // exactly at the deadline is still allowed
        {1, 51min, "expired (deadline +3600s)"},
        {9, 2h, "expired (deadline +3600s)"},
    };
    for (const auto& c : cases) {
        const std::string got =
            describe(next_retry(rule, c.attempts, kArrival, kArrival + c.now, 0));
        EXPECT_EQ(got, c.want) << "attempts " << c.attempts << " at +" << c.now.count() << "s: got "
                               << got << ", want " << c.want;
    }
}

}  // namespace
}  // namespace sluice::policy::retry
