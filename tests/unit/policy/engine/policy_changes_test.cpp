#include "policy/engine/policy_changes.hpp"

#include <gtest/gtest.h>

namespace sluice::policy::engine {
namespace {

using namespace std::chrono_literals;

// One ISP "Gmail" with strategy "s" (10 connections) and a pool whose source "new" may be
// shaped to `rate` for Gmail.
std::shared_ptr<const CompiledPolicy> policy_with(std::uint32_t connections,
                                                  std::optional<config::Rate> rate) {
    config::Config config;
    config.hostname = "mx.test";
    auto& p = config.policy;
    config::Strategy s;
    s.name = "s";
    s.max_connections = connections;
    p.strategies = {s};
    config::Pool pool;
    pool.name = "bulk";
    pool.sources = {{"old", "127.0.0.4", "", 1}, {"new", "127.0.0.5", "", 1}};
    if (rate) {
        config::Shaping shaping;
        shaping.isp = "Gmail";
        shaping.message_rate = rate;
        pool.sources[1].shaping = {shaping};
    }
    p.pools = {pool};
    config::Isp isp;
    isp.name = "Gmail";
    isp.domains = {"gmail.test"};
    isp.strategy = "s";
    p.isps = {isp};
    return CompiledPolicy::build(config);
}

TEST(DescribeChanges, NamesStrategyAndShapingChanges) {
    const auto base = policy_with(10, std::nullopt);
    EXPECT_EQ(describe_changes(*base, *policy_with(10, std::nullopt)), "no change to ISP rules");
    EXPECT_EQ(describe_changes(*base, *policy_with(5, std::nullopt)), "changed: Gmail (strategy)");
    EXPECT_EQ(describe_changes(*base, *policy_with(10, config::Rate{100, 1h})),
              "shaping changed: source new for Gmail");
    EXPECT_EQ(describe_changes(*policy_with(10, config::Rate{100, 1h}), *base),
              "shaping changed: source new for Gmail")
        << "shaping removed";
}

TEST(DescribeChanges, NamesSourcesWhoseWarmupChanged) {
    auto with_warmup = [](std::uint64_t daily, std::int32_t start) {
        config::Config config;
        config.hostname = "mx.test";
        config::WarmupSchedule schedule;
        schedule.name = "w";
        schedule.warm_from_day = 30;
        schedule.days = {config::WarmupStep{1, "", daily, std::nullopt, 2.0}};
        config.policy.warmups = {schedule};
        config::Pool pool;
        pool.name = "bulk";
        pool.sources = {{"old", "127.0.0.4", "", 1}, {"new", "127.0.0.5", "", 1}};
        pool.sources[1].warmup = "w";
        pool.sources[1].warmup_start = start;
        config.policy.pools = {pool};
        return CompiledPolicy::build(config);
    };
    const auto base = with_warmup(100, 20'000);
    EXPECT_EQ(describe_changes(*base, *with_warmup(100, 20'000)), "no change to ISP rules");
    EXPECT_EQ(describe_changes(*base, *with_warmup(200, 20'000)), "warm-up changed: source new");
    EXPECT_EQ(describe_changes(*base, *with_warmup(100, 20'001)), "warm-up changed: source new");
    EXPECT_EQ(describe_changes(*base, *policy_with(10, std::nullopt)),
              "ISPs added: Gmail; warm-up changed: source new");
}

TEST(SameLimits, IgnoresTheNameOnly) {
    config::Strategy a;
    a.name = "a";
    config::Strategy b = a;
    b.name = "b";
    EXPECT_TRUE(same_limits(a, b));
    b.connect_rate = config::Rate{1, 1s};
    EXPECT_FALSE(same_limits(a, b));
}

}  // namespace
}  // namespace sluice::policy::engine
