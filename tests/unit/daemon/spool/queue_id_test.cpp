#include "daemon/spool/queue_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sluice::daemon::spool {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000'000;

TEST(QueueIdGenerator, IdsAreValidAndStrictlyIncreasingEvenWhenTheClockStalls) {
    QueueIdGenerator generator(4242);
    std::string previous;
    // Same microsecond many times (beyond the 64-ID sequence), then a clock step backwards.
    for (int i = 0; i < 1000; ++i) {
        std::int64_t now = i < 700 ? kNow : kNow - 5'000'000;
        std::string id = generator.next(now);
        EXPECT_TRUE(is_valid_queue_id(id)) << "got " << id << ", want a valid ID";
        EXPECT_LT(previous, id) << "call " << i;
        previous = id;
    }
}

TEST(QueueIdGenerator, TwoProcessesInTheSameMicrosecondNeverCollide) {
    QueueIdGenerator first(100);
    QueueIdGenerator second(101);
    std::set<std::string> seen;
    for (int i = 0; i < 500; ++i) {
        EXPECT_TRUE(seen.insert(first.next(kNow)).second);
        EXPECT_TRUE(seen.insert(second.next(kNow)).second);
    }
}

TEST(QueueIdGenerator, SortsByArrivalAcrossProcesses) {
    QueueIdGenerator late_pid((1u << 22) - 1);
    QueueIdGenerator early_pid(1);
    std::string earlier = late_pid.next(kNow);
    std::string later = early_pid.next(kNow + 1);
    EXPECT_LT(earlier, later) << "got " << earlier << " >= " << later;
}

TEST(QueueIdGenerator, EncodesTheArrivalTime) {
    QueueIdGenerator generator(7);
    for (std::int64_t now : {std::int64_t{1}, kNow, std::int64_t{4'000'000'000'000'000}}) {
        std::string id = generator.next(now);
        EXPECT_EQ(queue_id_time_us(id), now) << "id " << id;
    }
}

TEST(IsValidQueueId, Table) {
    struct Case {
        std::string input;
        bool want;
    };
    const Case cases[] = {
        {"0123456789ABCDEF", true},
        {"VVVVVVVVVVVVVVVV", true},
        {"", false},
        {"0123456789ABCDE", false},
        {"0123456789ABCDEFG", false},
        {"0123456789abcdef", false},
        {"0123456789ABCDEW", false},
        {"../../etc/passwd", false},
        {"0123456/89ABCDEF", false},
        {"0123456789ABCDE.", false},
        {std::string("0123456789ABCDE\0", 16), false},
        {"0123456789ABCDEF.tmp", false},
    };
    for (const Case& c : cases) {
        bool got = is_valid_queue_id(c.input);
        EXPECT_EQ(got, c.want) << "input \"" << c.input << "\": got " << got << ", want " << c.want;
    }
}

}  // namespace
}  // namespace sluice::daemon::spool
