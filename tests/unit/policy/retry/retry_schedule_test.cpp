// Table tests for RetrySchedule::next_attempt: the interval ladder, the repeating last interval
// and expiry at (or before passing) the queue lifetime. Time is passed by hand.
#include "policy/retry/retry_schedule.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::policy::retry {
namespace {

using namespace std::chrono_literals;

constexpr TimePoint kArrival{std::chrono::seconds(1'700'000'000)};

std::string describe(const std::variant<RetryAt, Expired>& result) {
    if (const auto* retry = std::get_if<RetryAt>(&result)) {
        return "retry at arrival+" + std::to_string((retry->at - kArrival).count()) + "s";
    }
    return "expired (deadline arrival+" +
           std::to_string((std::get<Expired>(result).deadline - kArrival).count()) + "s)";
}

struct Case {
    std::uint32_t attempts;
    std::chrono::seconds now;  // since arrival
    std::string want;
};

void run(const RetrySchedule& schedule, const std::vector<Case>& cases) {
    for (const auto& c : cases) {
        std::string got = describe(schedule.next_attempt(c.attempts, kArrival, kArrival + c.now));
        EXPECT_EQ(got, c.want) << "attempts " << c.attempts << ", now arrival+" << c.now.count()
                               << "s: got " << got << ", want " << c.want;
    }
}

TEST(RetrySchedule, WalksTheIntervalsThenRepeatsTheLast) {
    const RetrySchedule schedule({5min, 10min, 1h}, 24h);
    run(schedule, {
                      {0, 0s, "retry at arrival+0s"},
                      {0, 30s, "retry at arrival+0s"},
                      {1, 1s, "retry at arrival+301s"},
                      {2, 400s, "retry at arrival+1000s"},
                      {3, 1000s, "retry at arrival+4600s"},
                      {4, 5000s, "retry at arrival+8600s"},
                      {1000, 5000s, "retry at arrival+8600s"},
                      {UINT32_MAX, 5000s, "retry at arrival+8600s"},
                  });
}

TEST(RetrySchedule, ExpiresAtTheLifetime) {
    const RetrySchedule schedule({1h}, 10h);
    run(schedule, {
                      {0, 10h, "expired (deadline arrival+36000s)"},
                      {0, 11h, "expired (deadline arrival+36000s)"},
                      {3, 10h, "expired (deadline arrival+36000s)"},
                      {3, 10h - 1s, "expired (deadline arrival+36000s)"},  // next would be past it
                      {3, 9h, "retry at arrival+36000s"},  // exactly at the deadline: one more try
                      {3, 9h - 1s, "retry at arrival+35999s"},
                      {9, 9h + 1s, "expired (deadline arrival+36000s)"},
                  });
}

TEST(RetrySchedule, RoundsSubSecondIntervalsUp) {
    const RetrySchedule schedule({1500ms, 200ms}, 2500ms);
    run(schedule, {
                      {1, 0s, "retry at arrival+2s"},
                      {2, 1s, "retry at arrival+2s"},
                      {2, 2s, "retry at arrival+3s"},
                      {2, 3s, "expired (deadline arrival+3s)"},
                  });
}

TEST(RetrySchedule, ArrivalInThePast) {
    // A message from before a restart: the clock has moved on, the ladder still applies.
    const RetrySchedule schedule({5min}, 5 * 24h);
    run(schedule, {
                      {0, 3 * 24h, "retry at arrival+0s"},
                      {7, 3 * 24h, "retry at arrival+259500s"},
                      {7, 5 * 24h - 1min, "expired (deadline arrival+432000s)"},
                  });
}

}  // namespace
}  // namespace sluice::policy::retry
