// ContentDeadline: credit per byte at min_rate, capped at the data timeout ahead of now.
#include "daemon/smtp/content_deadline.hpp"

#include <gtest/gtest.h>

namespace sluice::daemon::smtp {
namespace {

using namespace std::chrono_literals;
using Clock = ContentDeadline::Clock;

const Clock::time_point t0 = Clock::time_point() + 1000h;

TEST(ContentDeadline, StartsWithTheTimeout) {
    ContentDeadline deadline(t0, 10s, 500);
    EXPECT_EQ(deadline.deadline(), t0 + 10s);
}

TEST(ContentDeadline, WithoutARateEachReadRestartsTheTimeout) {
    ContentDeadline deadline(t0, 10s, 0);
    deadline.received(1, t0 + 9s);
    EXPECT_EQ(deadline.deadline(), t0 + 19s);
    deadline.received(1, t0 + 18s);
    EXPECT_EQ(deadline.deadline(), t0 + 28s);
}

TEST(ContentDeadline, ATrickleRunsOutOfCredit) {
    // One byte every 9 s at a 100 B/s minimum earns 10 ms each time: the deadline barely moves.
    ContentDeadline deadline(t0, 10s, 100);
    deadline.received(1, t0 + 9s);
    EXPECT_EQ(deadline.deadline(), t0 + 10s + 10ms);
    deadline.received(1, t0 + 10s);  // 10 s in: 20 ms left, where a per-read timeout allows 10 s
    EXPECT_EQ(deadline.deadline(), t0 + 10s + 20ms);
}

TEST(ContentDeadline, AFastClientIsNeverCutOffButCreditIsCapped) {
    ContentDeadline deadline(t0, 10s, 500);
    auto now = t0;
    for (int i = 0; i < 100; ++i) {  // 64 KiB per second, far over 500 B/s
        now += 1s;
        deadline.received(65536, now);
        EXPECT_EQ(deadline.deadline(), now + 10s);  // capped: no banking of hours of credit
    }
}

TEST(ContentDeadline, ExactlyTheMinimumRateKeepsTheDeadlineWhereItWas) {
    ContentDeadline deadline(t0, 10s, 500);
    auto now = t0;
    for (int i = 0; i < 5; ++i) {
        now += 1s;
        deadline.received(500, now);
    }
    EXPECT_EQ(deadline.deadline(), t0 + 10s + 5s);
    EXPECT_EQ(deadline.deadline() - now, 10s);
}

}  // namespace
}  // namespace sluice::daemon::smtp
