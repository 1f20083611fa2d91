#include "daemon/queue/core/destination_registry.hpp"

#include <gtest/gtest.h>

#include "tests/unit/daemon/queue/core/gmail_policy.hpp"

namespace sluice::daemon::queue {
namespace {

using namespace std::chrono_literals;
using policy::config::Rate;

using queue_test::compile;
using queue_test::strategy;

TEST(DestinationRegistry, EnsureCreatesOnceAndRefreshesHowTheQueueConnects) {
    DestinationRegistry registry(compile({strategy(3)}));
    auto& queue = registry.ensure(Route{QueueKey{"Gmail", "a"}, "pool1", "127.0.0.5", "a.test"});
    EXPECT_EQ(queue.name, "Gmail/a");
    EXPECT_EQ(queue.strategy->max_connections, 3u);
    queue.counters.delivered = 4;
    auto& again = registry.ensure(Route{QueueKey{"Gmail", "a"}, "pool2", "127.0.0.6", "b.test"});
    EXPECT_EQ(&again, &queue);
    EXPECT_EQ(again.counters.delivered, 4u);
    EXPECT_EQ(again.pool, "pool2");
    EXPECT_EQ(again.source_address, "127.0.0.6");
    EXPECT_EQ(again.helo, "b.test");
    EXPECT_EQ(registry.find(QueueKey{"Gmail", "b"}), nullptr);
    EXPECT_EQ(registry.queues().size(), 1u);
}

TEST(DestinationRegistry, UnknownIspsTakeTheDefaultStrategy) {
    DestinationRegistry registry(compile({strategy(3)}));
    auto& queue = registry.ensure(Route{QueueKey{"NoSuchIsp", "a"}, "", "", ""});
    EXPECT_EQ(queue.strategy->max_connections,
              registry.policy().default_isp().strategy->max_connections);
}

TEST(DestinationRegistry, ReconfigureGivesQueuesTheirIspsNewStrategy) {
    DestinationRegistry registry(compile({strategy(2, Rate{60, 1min})}));
    auto& queue = registry.ensure(Route{QueueKey{"Gmail", "a"}, "", "", ""});
    queue.counters.delivered = 7;
    (void)registry.ensure(Route{QueueKey{"Gmail", "b"}, "", "", ""});
    EXPECT_EQ(registry.reconfigure(compile({strategy(9, Rate{600, 1min})})), 2u)
        << "both queues' limits changed";
    EXPECT_EQ(queue.strategy->max_connections, 9u);
    EXPECT_DOUBLE_EQ(queue.message_rate.per_second(), 10.0);
    EXPECT_EQ(queue.counters.delivered, 7u);
    EXPECT_EQ(registry.reconfigure(compile({strategy(9, Rate{600, 1min})})), 0u)
        << "the same limits again";
}

TEST(DestinationRegistry, ASiteThatThrottledUsIsKeptUntilItsSpeedHasRecovered) {
    auto adaptive = strategy(5, Rate{60, 1min});
    adaptive.adaptive = policy::config::AdaptiveSpeed{Rate{6, 1min}, 0.5, 0.5, 1};
    DestinationRegistry registry(compile({adaptive}));
    const auto start = policy::speed::Instant{} + 1000h;
    auto& site = registry.ensure(Route{QueueKey{"default", "a", "mx.slow.test"}, "", "", ""});
    site.adaptive->on_throttled();  // the site asked us to slow down: 30/min now
    auto never_busy = [](const DestinationQueue&) { return false; };
    EXPECT_EQ(registry.reclaim_idle(start, 10min, never_busy), 0u);
    EXPECT_EQ(registry.reclaim_idle(start + 1h, 10min, never_busy), 0u)
        << "reclaiming would forget the lowered speed";
    site.adaptive->on_success();  // 45/min (step up 50 %, streak 1)
    site.adaptive->on_success();  // back at the ceiling
    EXPECT_EQ(registry.reclaim_idle(start + 2h, 10min, never_busy), 1u)
        << "recovered, and not wanted since the last pass an hour ago";
}

TEST(DestinationRegistry, AShapedSourceGetsItsOwnStrategyAndKeepsItOnReload) {
    auto with_shaping = [](std::optional<Rate> rate) {
        policy::config::Config config;
        config.hostname = "mx.test";
        auto& p = config.policy;
        p.strategies = {strategy(5, Rate{60, 1min})};
        policy::config::Pool pool;
        pool.name = "bulk";
        pool.sources = {{"a", "127.0.0.4", "", 1}, {"new", "127.0.0.5", "", 1}};
        if (rate) {
            policy::config::Shaping shaping;
            shaping.isp = "Gmail";
            shaping.message_rate = rate;
            pool.sources[1].shaping = {shaping};
        }
        p.pools = {pool};
        policy::config::Isp isp;
        isp.name = "Gmail";
        isp.domains = {"gmail.test"};
        isp.strategy = "s";
        p.isps = {isp};
        return policy::engine::CompiledPolicy::build(config);
    };
    DestinationRegistry registry(with_shaping(Rate{6, 1min}));
    auto& seasoned = registry.ensure(Route{QueueKey{"Gmail", "a"}, "bulk", "", ""});
    auto& fresh = registry.ensure(Route{QueueKey{"Gmail", "new"}, "bulk", "", ""});
    EXPECT_DOUBLE_EQ(seasoned.message_rate.per_second(), 1.0);
    EXPECT_DOUBLE_EQ(fresh.message_rate.per_second(), 0.1);
    EXPECT_EQ(registry.reconfigure(with_shaping(std::nullopt)), 1u) << "only the shaped one";
    EXPECT_DOUBLE_EQ(fresh.message_rate.per_second(), 1.0);
}

TEST(DestinationRegistry, RemembersTheLastFiveRepliesWithTheirKind) {
    DestinationRegistry registry(compile({strategy(5)}));
    auto& queue = registry.ensure(Route{QueueKey{"Gmail", "a"}, "", "", ""});
    for (int i = 1; i <= 6; ++i) {
        DestinationRegistry::remember_reply(queue, "250 ok " + std::to_string(i), ReplyKind::other);
    }
    DestinationRegistry::remember_reply(queue, "451 4.4.3 DNS lookup failed: timeout",
                                        ReplyKind::dns_failure);
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

TEST(DestinationRegistry, IdleSiteQueuesAreReclaimedAndTheirCountsKept) {
    DestinationRegistry registry(compile({strategy(5, Rate{60, 1min})}));
    const auto start = policy::speed::Instant{} + 1000h;
    auto& isp = registry.ensure(Route{QueueKey{"Gmail", "a"}, "", "", ""});
    (void)registry.ensure(Route{QueueKey{"default", "a", "mx.busy.test"}, "", "", ""});
    auto& idle = registry.ensure(Route{QueueKey{"default", "a", "mx.idle.test"}, "", "", ""});
    auto& paced = registry.ensure(Route{QueueKey{"default", "a", "mx.paced.test"}, "", "", ""});
    isp.counters.delivered = 1;
    idle.counters.delivered = 7;
    idle.counters.bounced = 2;
    (void)paced.message_rate.try_acquire(start + 40min);  // owes the rate a second from then
    auto is_busy = [](const DestinationQueue& q) { return q.key.site == "mx.busy.test"; };

    EXPECT_EQ(registry.reclaim_idle(start, 10min, is_busy), 0u) << "first seen idle";
    EXPECT_EQ(registry.reclaim_idle(start + 9min, 10min, is_busy), 0u) << "not idle long enough";
    idle.last_used = start + 9min + 30s;  // a connection asked for between two passes
    EXPECT_EQ(registry.reclaim_idle(start + 10min, 10min, is_busy), 0u) << "used 30 s ago";
    idle.active = 1;  // a connection: busy again, and idle from scratch after it
    EXPECT_EQ(registry.reclaim_idle(start + 19min, 10min, is_busy), 0u);
    idle.active = 0;
    EXPECT_EQ(registry.reclaim_idle(start + 28min, 10min, is_busy), 0u);
    EXPECT_EQ(registry.reclaim_idle(start + 29min, 10min, is_busy), 1u) << "idle and at rest";
    EXPECT_EQ(registry.find(QueueKey{"default", "a", "mx.idle.test"}), nullptr);
    EXPECT_NE(registry.find(QueueKey{"default", "a", "mx.paced.test"}), nullptr)
        << "reclaimed only once its rate limiter owes nothing";
    EXPECT_NE(registry.find(QueueKey{"Gmail", "a"}), nullptr) << "ISP queues stay";
    EXPECT_NE(registry.find(QueueKey{"default", "a", "mx.busy.test"}), nullptr);
    const auto& retired = registry.retired().at({"default", "a"});
    EXPECT_EQ(retired.delivered, 7u);
    EXPECT_EQ(retired.bounced, 2u);
    EXPECT_EQ(registry.reclaim_idle(start + 41min, 10min, is_busy), 1u)
        << "the paced one, at rest since its limiter's debt ended";
}

}  // namespace
}  // namespace sluice::daemon::queue
