// LockTable with time passed by hand: expiry, unlock, the longer lock winning, next_expiry.
#include "policy/lock/lock_table.hpp"

#include <gtest/gtest.h>

namespace sluice::policy::lock {
namespace {

using namespace std::chrono_literals;

constexpr TimePoint kNow{std::chrono::seconds(1'700'000'000)};

TEST(LockTable, ActiveUntilItsExpiry) {
    LockTable table;
    table.lock("Gmail/a", {"throttled", "421 4.7.0 slow down", kNow + 30min});
    ASSERT_NE(table.active("Gmail/a", kNow), nullptr);
    EXPECT_EQ(table.active("Gmail/a", kNow)->rule, "throttled");
    EXPECT_NE(table.active("Gmail/a", kNow + 30min - 1s), nullptr);
    EXPECT_EQ(table.active("Gmail/a", kNow + 30min), nullptr) << "expired at `until`";
    EXPECT_EQ(table.active("Gmail/b", kNow), nullptr) << "other keys are open";
}

TEST(LockTable, ExpireDropsAndReportsOpenedKeys) {
    LockTable table;
    table.lock("a", {"r", "", kNow + 10min});
    table.lock("b", {"r", "", kNow + 20min});
    table.lock("c", {"r", "", kNow + 5min});
    EXPECT_EQ(table.expire(kNow + 1min), std::vector<std::string>{});
    EXPECT_EQ(table.expire(kNow + 10min), (std::vector<std::string>{"a", "c"}));
    EXPECT_EQ(table.all().size(), 1u);
    EXPECT_EQ(table.next_expiry(), kNow + 20min);
}

TEST(LockTable, UnlockLiftsALock) {
    LockTable table;
    table.lock("Yahoo", {"admin", "", kNow + 1h});
    EXPECT_TRUE(table.unlock("Yahoo"));
    EXPECT_EQ(table.active("Yahoo", kNow), nullptr);
    EXPECT_FALSE(table.unlock("Yahoo")) << "nothing left to lift";
}

TEST(LockTable, TheLongerLockWins) {
    LockTable table;
    table.lock("q", {"long", "first", kNow + 1h});
    table.lock("q", {"short", "second", kNow + 10min});
    EXPECT_EQ(table.active("q", kNow)->rule, "long");
    EXPECT_EQ(table.active("q", kNow)->until, kNow + 1h);
    table.lock("q", {"longer", "third", kNow + 2h});
    EXPECT_EQ(table.active("q", kNow)->rule, "longer");
    EXPECT_EQ(table.active("q", kNow)->reply, "third");
}

TEST(LockTable, NextExpiryIsTheEarliest) {
    LockTable table;
    EXPECT_EQ(table.next_expiry(), std::nullopt);
    table.lock("x", {"r", "", kNow + 3h});
    table.lock("y", {"r", "", kNow + 1h});
    table.lock("z", {"r", "", kNow + 2h});
    EXPECT_EQ(table.next_expiry(), kNow + 1h);
    table.unlock("y");
    EXPECT_EQ(table.next_expiry(), kNow + 2h);
}

}  // namespace
}  // namespace sluice::policy::lock
