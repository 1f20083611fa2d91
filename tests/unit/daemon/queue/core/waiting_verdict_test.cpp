// The expiry sweep's verdict on one pending recipient, as a table: facts at "now" = 1000.
#include "daemon/queue/core/waiting_verdict.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::daemon::queue {
namespace {

std::string name(WaitingAction action) {
    switch (action) {
        case WaitingAction::look_again:
            return "look_again";
        case WaitingAction::expire:
            return "expire";
        case WaitingAction::warn:
            return "warn";
        case WaitingAction::find_isp:
            return "find_isp";
    }
    return "?";
}

TEST(JudgeWaiting, ExpiresWarnsOrSaysWhenToLookAgain) {
    constexpr std::int64_t kNow = 1000;
    struct Case {
        const char* what;
        WaitingFacts facts;
        WaitingAction want;
        std::int64_t want_look_again;
    };
    const Case cases[] = {
        {"ISP unknown: its MX lookup first",
         {std::nullopt, false, std::nullopt, 0},
         WaitingAction::find_isp,
         kNow + kWaitingRecheckSeconds},
        {"deadline not reached, no warning owed: look at the deadline",
         {5000, false, {}, 0},
         WaitingAction::look_again,
         5000},
        // Holds, locks, rate limits and retry times are not facts: a recipient that waits for
        // any of them (an admin's hold included) expires at its deadline all the same.
        {"past its deadline while waiting (held, locked, for a retry...)",
         {1000, false, {}, 0},
         WaitingAction::expire,
         kNow + kWaitingRecheckSeconds},
        {"past its deadline but in flight: its attempt decides",
         {900, true, {}, 0},
         WaitingAction::look_again,
         kNow + 1},
        {"warning due before the deadline",
         {5000, false, 1000, 0},
         WaitingAction::warn,
         kNow + kWaitingRecheckSeconds},
        {"warning due, deadline sooner than the recheck",
         {1002, false, 990, 0},
         WaitingAction::warn,
         1002},
        {"warning later: look then", {5000, false, 3000, 0}, WaitingAction::look_again, 3000},
        {"warning at or after the deadline: the expiry report says it all",
         {5000, false, 5000, 0},
         WaitingAction::look_again,
         5000},
        {"warning due but in flight: soon",
         {5000, true, 1000, 0},
         WaitingAction::look_again,
         kNow + 1},
        {"warning due but paused after a failed spool",
         {5000, false, 1000, 1300},
         WaitingAction::look_again,
         1300},
        {"paused past the deadline: look at the deadline",
         {1200, false, 1000, 1300},
         WaitingAction::look_again,
         1200},
        {"past the deadline beats a due warning",
         {1000, false, 900, 0},
         WaitingAction::expire,
         kNow + kWaitingRecheckSeconds},
    };
    for (const auto& c : cases) {
        const auto got = judge_waiting(c.facts, kNow);
        EXPECT_EQ(got.action, c.want)
            << c.what << ": got " << name(got.action) << ", want " << name(c.want);
        EXPECT_EQ(got.look_again_unix, c.want_look_again) << c.what;
    }
}

}  // namespace
}  // namespace sluice::daemon::queue
