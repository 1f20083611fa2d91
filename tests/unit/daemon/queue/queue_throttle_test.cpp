#include "daemon/queue/queue_throttle.hpp"

#include <gtest/gtest.h>

namespace sluice::daemon::queue {
namespace {

using namespace std::chrono_literals;
using policy::config::Rate;

const Instant kStart = Instant{} + 1000h;
const WallTime kWall = WallTime(std::chrono::seconds(1'800'000'000));

std::shared_ptr<const policy::engine::CompiledPolicy> compile(
    const std::vector<policy::config::Strategy>& strategies,
    const std::vector<policy::config::LockRule>& locks = {}) {
    policy::config::Config config;
    config.hostname = "mx.test";
    auto& p = config.policy;
    p.strategies = strategies;
    p.lock_rules = locks;
    policy::config::Isp isp;
    isp.name = "Gmail";
    isp.domains = {"gmail.test"};
    isp.strategy = strategies.front().name;
    for (const auto& lock : locks) isp.locks.push_back(lock.name);
    p.isps.push_back(isp);
    return policy::engine::CompiledPolicy::build(config);
}

policy::config::Strategy strategy(std::uint32_t connections, std::optional<Rate> rate = {},
                                  std::optional<Rate> isp_rate = {}) {
    policy::config::Strategy s;
    s.name = "s";
    s.max_connections = connections;
    s.message_rate = rate;
    s.isp_message_rate = isp_rate;
    return s;
}

TEST(QueueThrottle, CapsConnectionsPerQueueAndInTotal) {
    QueueThrottle throttle(compile({strategy(2)}));
    auto& queue = throttle.queue("Gmail", "a");
    EXPECT_EQ(queue.name, "Gmail/a");
    EXPECT_EQ(throttle.may_connect(queue, kStart, kWall, 0, 10).reason, Blocked::none);
    queue.active = 2;
    EXPECT_EQ(throttle.may_connect(queue, kStart, kWall, 2, 10).reason, Blocked::connection_cap);
    queue.active = 1;
    EXPECT_EQ(throttle.may_connect(queue, kStart, kWall, 10, 10).reason,
              Blocked::total_connections);
    EXPECT_EQ(queue.blocked, Blocked::total_connections);
}

TEST(QueueThrottle, PacesMessagesPerQueueAndPerIsp) {
    QueueThrottle throttle(compile({strategy(5, Rate{60, 1min}, Rate{90, 1min})}));
    auto& a = throttle.queue("Gmail", "a");
    auto& b = throttle.queue("Gmail", "b");
    EXPECT_EQ(throttle.may_send(a, kStart, kWall).reason, Blocked::none);
    auto again = throttle.may_send(a, kStart, kWall);
    EXPECT_EQ(again.reason, Blocked::message_rate);
    EXPECT_EQ(again.retry_at, kStart + 1s);
    // b has its own 1/s but shares the ISP's 1.5/s with a.
    auto shared = throttle.may_send(b, kStart + 100ms, kWall);
    EXPECT_EQ(shared.reason, Blocked::isp_message_rate);
    EXPECT_EQ(shared.retry_at, kStart + 666'666'666ns);
    EXPECT_EQ(throttle.may_send(b, kStart + 700ms, kWall).reason, Blocked::none);
    // Over a simulated hour the ISP's rate holds across both queues.
    int sent = 2;
    for (auto t = kStart + 701ms; t < kStart + 1h; t += 10ms) {
        sent += throttle.may_send(a, t, kWall).reason == Blocked::none;
        sent += throttle.may_send(b, t, kWall).reason == Blocked::none;
    }
    EXPECT_NEAR(sent, 90 * 60, 2);
}

TEST(QueueThrottle, NoConnectionBeforeAMessageMayGo) {
    QueueThrottle throttle(compile({strategy(5, Rate{1, 1min})}));
    auto& queue = throttle.queue("Gmail", "a");
    ASSERT_EQ(throttle.may_send(queue, kStart, kWall).reason, Blocked::none);
    auto admission = throttle.may_connect(queue, kStart + 1s, kWall, 0, 10);
    EXPECT_EQ(admission.reason, Blocked::message_rate);
    EXPECT_EQ(admission.retry_at, kStart + 1min);
}

TEST(QueueThrottle, AConnectionTakesItsFirstMessagesSlot) {
    // The ISP allows one message a minute over two queues: one connection per slot, not two.
    QueueThrottle throttle(compile({strategy(5, std::nullopt, Rate{1, 1min})}));
    auto& a = throttle.queue("Gmail", "a");
    auto& b = throttle.queue("Gmail", "b");
    EXPECT_EQ(throttle.may_connect(a, kStart, kWall, 0, 10).reason, Blocked::none);
    auto second = throttle.may_connect(b, kStart, kWall, 1, 10);
    EXPECT_EQ(second.reason, Blocked::isp_message_rate);
    EXPECT_EQ(second.retry_at, kStart + 1min);
    // Unlimited queues open connections in parallel up to the cap.
    QueueThrottle unlimited(compile({strategy(2)}));
    auto& open = unlimited.queue("Gmail", "a");
    EXPECT_EQ(unlimited.may_connect(open, kStart, kWall, 0, 10).reason, Blocked::none);
    open.active = 1;
    EXPECT_EQ(unlimited.may_connect(open, kStart, kWall, 1, 10).reason, Blocked::none);
}

TEST(QueueThrottle, NoSecondConnectionWhileOneWaitsForTheRate) {
    QueueThrottle throttle(compile({strategy(5, Rate{60, 1min}, Rate{600, 1min})}));
    auto& a = throttle.queue("Gmail", "a");
    auto& b = throttle.queue("Gmail", "b");
    a.active = 1;
    throttle.begin_pacing(a);
    EXPECT_EQ(throttle.may_connect(a, kStart, kWall, 1, 10).reason, Blocked::message_rate);
    EXPECT_EQ(throttle.may_connect(b, kStart, kWall, 1, 10).reason, Blocked::isp_message_rate)
        << "a waits for the ISP's rate too";
    throttle.end_pacing(a);
    EXPECT_EQ(throttle.may_connect(a, kStart, kWall, 1, 10).reason, Blocked::none);
}

TEST(QueueThrottle, LocksStopAQueueOrTheWholeIspUntilTheyExpire) {
    policy::config::LockRule source_lock;
    source_lock.name = "throttled";
    source_lock.lock_for = 30min;
    policy::config::LockRule isp_lock = source_lock;
    isp_lock.name = "blocked";
    isp_lock.scope = policy::config::LockScope::isp;
    QueueThrottle throttle(compile({strategy(5)}, {source_lock, isp_lock}));
    auto& a = throttle.queue("Gmail", "a");
    auto& b = throttle.queue("Gmail", "b");

    throttle.lock(a, source_lock, "421 4.7.0 slow down", kWall);
    EXPECT_EQ(throttle.may_connect(a, kStart, kWall + 29min, 0, 10).reason, Blocked::locked);
    EXPECT_EQ(throttle.may_connect(b, kStart, kWall + 29min, 0, 10).reason, Blocked::none);
    EXPECT_EQ(throttle.lock_of(a, kWall)->reply, "421 4.7.0 slow down");
    EXPECT_EQ(throttle.expire_locks(kWall), kWall + 30min);
    EXPECT_EQ(throttle.may_connect(a, kStart, kWall + 30min, 0, 10).reason, Blocked::none);

    const auto later = kWall + 31min;
    throttle.lock(b, isp_lock, "554 blocked", later);
    EXPECT_EQ(throttle.stopped(a, later), Blocked::isp_locked);
    EXPECT_TRUE(throttle.unlock_isp("Gmail"));
    EXPECT_EQ(throttle.stopped(a, later), Blocked::none);
}

// The status endpoint tells a queue's own lock from its ISP's by these keys.
TEST(QueueThrottle, LockKeysFindTheLockEachScopeSet) {
    struct Case {
        policy::config::LockScope scope;
        bool queue_key_found;
        bool isp_key_found;
    };
    const Case cases[] = {
        {policy::config::LockScope::source, true, false},
        {policy::config::LockScope::isp, false, true},
    };
    for (const auto& c : cases) {
        policy::config::LockRule rule;
        rule.name = "r";
        rule.lock_for = 30min;
        rule.scope = c.scope;
        QueueThrottle throttle(compile({strategy(5)}, {rule}));
        auto& queue = throttle.queue("Gmail", "a");
        throttle.lock(queue, rule, "421 slow down", kWall);
        const bool queue_found = throttle.locks().active(queue_lock_key("Gmail/a"), kWall);
        const bool isp_found = throttle.locks().active(isp_lock_key("Gmail"), kWall);
        EXPECT_EQ(queue_found, c.queue_key_found)
            << "scope " << static_cast<int>(c.scope) << ": got " << queue_found << ", want "
            << c.queue_key_found;
        EXPECT_EQ(isp_found, c.isp_key_found) << "scope " << static_cast<int>(c.scope) << ": got "
                                              << isp_found << ", want " << c.isp_key_found;
    }
}

TEST(QueueThrottle, RemembersTheLastFiveRepliesWithTheirKind) {
    QueueThrottle throttle(compile({strategy(5)}));
    auto& queue = throttle.queue("Gmail", "a");
    for (int i = 1; i <= 6; ++i) {
        throttle.remember_reply(queue, "250 ok " + std::to_string(i), ReplyKind::other);
    }
    throttle.remember_reply(queue, "451 4.4.3 DNS lookup failed: timeout", ReplyKind::dns_failure);
    struct Want {
        std::string text;
        ReplyKind kind;
    };
    const Want want[] = {
        {"451 4.4.3 DNS lookup failed: timeout", ReplyKind::dns_failure},
        {"250 ok 6", ReplyKind::other},
        {"250 ok 5", ReplyKind::other},
        {"250 ok 4", ReplyKind::other},
        {"250 ok 3", ReplyKind::other},
    };
    ASSERT_EQ(queue.last_replies.size(), std::size(want));
    for (std::size_t i = 0; i < std::size(want); ++i) {
        const auto& got = queue.last_replies[i];
        EXPECT_EQ(got.text, want[i].text) << i << ": got " << got.text << ", want " << want[i].text;
        EXPECT_EQ(got.kind, want[i].kind) << i << ": " << got.text;
    }
}

TEST(QueueThrottle, HoldsWinOverEverything) {
    QueueThrottle throttle(compile({strategy(5)}));
    auto& a = throttle.queue("Gmail", "a");
    throttle.hold("Gmail", true);
    EXPECT_EQ(throttle.may_connect(a, kStart, kWall, 0, 10).reason, Blocked::held);
    throttle.hold("Gmail", false);
    throttle.set_node_held(true);
    EXPECT_EQ(throttle.may_send(a, kStart, kWall).reason, Blocked::node_held);
    throttle.set_node_held(false);
    EXPECT_EQ(throttle.may_send(a, kStart, kWall).reason, Blocked::none);
}

TEST(QueueThrottle, AdaptiveSpeedStepsDownOnDeferralsAndUpAfterSuccesses) {
    auto s = strategy(5, Rate{100, 1min});
    s.adaptive = policy::config::AdaptiveSpeed{Rate{10, 1min}, 0.5, 0.5, 2};
    QueueThrottle throttle(compile({s}));
    auto& queue = throttle.queue("Gmail", "a");
    EXPECT_DOUBLE_EQ(queue.message_rate.per_second(), 100.0 / 60);
    throttle.attempt_done(queue, true);
    EXPECT_NEAR(queue.message_rate.per_second(), 50.0 / 60, 1e-9);
    EXPECT_EQ(queue.counters.throttled, 1u);
    throttle.attempt_done(queue, false);
    throttle.attempt_done(queue, false);
    EXPECT_NEAR(queue.message_rate.per_second(), 75.0 / 60, 1e-9);
    for (int i = 0; i < 20; ++i) throttle.attempt_done(queue, true);
    EXPECT_NEAR(queue.message_rate.per_second(), 10.0 / 60, 1e-9) << "the floor, still a limit";
}

TEST(QueueThrottle, ReconfigureGivesQueuesTheirIspsNewStrategy) {
    QueueThrottle throttle(compile({strategy(2, Rate{60, 1min})}));
    auto& queue = throttle.queue("Gmail", "a");
    queue.counters.delivered = 7;
    throttle.reconfigure(compile({strategy(9, Rate{600, 1min})}));
    EXPECT_EQ(queue.strategy.max_connections, 9u);
    EXPECT_DOUBLE_EQ(queue.message_rate.per_second(), 10.0);
    EXPECT_EQ(queue.counters.delivered, 7u);
}

}  // namespace
}  // namespace sluice::daemon::queue
