// CompiledPolicy on hand-built Configs: the implicit defaults, ISP resolution, pool choice
// precedence and judge() (2xx, hard/soft/ignore patterns, 5xx/4xx by code, ISP patterns before
// global ones, lock rules never for synthetic replies).
#include "policy/engine/compiled_policy.hpp"

#include <gtest/gtest.h>

namespace sluice::policy::engine {
namespace {

using namespace std::chrono_literals;

config::Config base_config() {
    config::Config config;
    config.hostname = "mx.example.com";
    config.delivery.source_address = "127.0.0.9";
    config.delivery.max_connections_per_destination = 7;
    config.delivery.max_messages_per_connection = 42;
    config.delivery.retry_intervals = {1min, 2min};
    config.delivery.queue_lifetime = 6h;
    return config;
}

config::BouncePattern pattern(std::string name, config::ReplyMatch match,
                              config::BounceClass bounce_class, std::string category) {
    return {std::move(name), std::move(match), bounce_class, std::move(category)};
}

config::Config policy_config() {
    config::Config config = base_config();
    config::PolicySettings& p = config.policy;
    p.pools = {
        {"bulk",
         {{"a", "127.0.0.2", "", 1}, {"b", "127.0.0.3", "h.test", 1}},
         config::SourceSelection::round_robin,
         {"example.com", "*.example.org"},
         {}},
        {"tx",
         {{"t", "127.0.0.4", "", 1}},
         config::SourceSelection::round_robin,
         {},
         {"submission"}},
        {"other",
         {{"o", "127.0.0.5", "", 1}},
         config::SourceSelection::round_robin,
         {"example.com"},
         {"submission"}},
    };
    config::Strategy gentle;
    gentle.name = "gentle";
    gentle.max_connections = 2;
    p.strategies = {gentle};
    config::RetryRule fixed;
    fixed.name = "fixed10";
    fixed.kind = config::RetryIntervalKind::fixed;
    fixed.interval = 10min;
    p.retry_rules = {fixed};
    p.lock_rules = {
        {"throttled", {"421", "4.7.0", "too many|rate"}, 30min, config::LockScope::source},
        {"blocked", {"5", "", "S3150"}, 2h, config::LockScope::isp}};
    p.bounce_patterns = {
        pattern("no-such-user", {"5", "5.1.1", ""}, config::BounceClass::hard, "bad-mailbox"),
        pattern("quota", {"", "4.2.2", ""}, config::BounceClass::soft, "quota"),
        pattern("filtered", {"550", "", "accepted but filtered"}, config::BounceClass::ignore, ""),
    };
    config::Isp gmail;
    gmail.name = "Gmail";
    gmail.domains = {"gmail.com"};
    gmail.mx_patterns = {"*.google.com"};
    gmail.strategy = "gentle";
    gmail.retry = "fixed10";
    gmail.pool = "tx";
    gmail.locks = {"throttled", "blocked"};
    gmail.bounce_patterns = {
        pattern("gmail-over-quota", {"552", "5.2.2", ""}, config::BounceClass::soft, "quota"),
        pattern("gmail-user", {"550", "5.1.1", "does not exist"}, config::BounceClass::soft, ""),
    };
    p.isps = {gmail};
    p.defaults.pool = "bulk";
    p.defaults.locks = {"throttled"};
    return config;
}

TEST(CompiledPolicy, SynthesizesTheImplicitDefaults) {
    const auto policy = CompiledPolicy::build(base_config());
    const ResolvedIsp& isp = policy->default_isp();
    EXPECT_EQ(isp.name, "default");
    EXPECT_EQ(isp.strategy->name, "default");
    EXPECT_EQ(isp.strategy->max_connections, 7u);
    EXPECT_EQ(isp.strategy->messages_per_connection, 42u);
    EXPECT_FALSE(isp.strategy->message_rate.has_value());
    EXPECT_EQ(isp.retry->name, "default");
    EXPECT_EQ(isp.retry->kind, config::RetryIntervalKind::list);
    EXPECT_EQ(isp.retry->intervals, (std::vector<std::chrono::milliseconds>{1min, 2min}));
    EXPECT_EQ(isp.retry->expire_after, 6h);
    EXPECT_EQ(isp.pool, nullptr);
    EXPECT_TRUE(isp.locks.empty());
    const config::Pool& pool = policy->pool_for("", "example.com", "smtp");
    EXPECT_EQ(pool.name, "default");
    ASSERT_EQ(pool.sources.size(), 1u);
    EXPECT_EQ(pool.sources[0].name, "127.0.0.9");
    EXPECT_EQ(pool.sources[0].address, "127.0.0.9");
    EXPECT_EQ(pool.sources[0].helo, "mx.example.com");
    EXPECT_EQ(policy->pool_header(), "X-Sluice-Pool");
    EXPECT_FALSE(policy->uses_mx());
    EXPECT_EQ(policy->isps().size(), 1u);
}

TEST(CompiledPolicy, UserDefinedDefaultsReplaceTheImplicitOnes) {
    config::Config config = base_config();
    config::Strategy strategy;
    strategy.name = "default";
    strategy.max_connections = 1;
    config.policy.strategies = {strategy};
    config::RetryRule rule;
    rule.name = "default";
    rule.kind = config::RetryIntervalKind::fixed;
    config.policy.retry_rules = {rule};
    const auto policy = CompiledPolicy::build(config);
    EXPECT_EQ(policy->default_isp().strategy->max_connections, 1u);
    EXPECT_EQ(policy->default_isp().retry->kind, config::RetryIntervalKind::fixed);
}

TEST(CompiledPolicy, ResolvesIsps) {
    const auto policy = CompiledPolicy::build(policy_config());
    const ResolvedIsp* gmail = policy->isp_by_domain("GMAIL.com.");
    ASSERT_NE(gmail, nullptr);
    EXPECT_EQ(gmail->name, "Gmail");
    EXPECT_EQ(gmail->strategy->name, "gentle");
    EXPECT_EQ(gmail->retry->name, "fixed10");
    EXPECT_EQ(gmail->pool->name, "tx");
    ASSERT_EQ(gmail->locks.size(), 2u);
    EXPECT_EQ(gmail->bounce_patterns.size(), 5u) << "its own two, then the three global ones";
    EXPECT_EQ(gmail->bounce_patterns[0].pattern->name, "gmail-over-quota");
    EXPECT_EQ(gmail->bounce_patterns[2].pattern->name, "no-such-user");
    EXPECT_EQ(policy->isp_by_domain("example.net"), nullptr);
    const std::vector<std::string> mx = {"alt2.gmail-smtp-in.l.google.com"};
    EXPECT_EQ(policy->isp_by_mx(mx), gmail);
    EXPECT_EQ(policy->isp_named("Gmail"), gmail);
    EXPECT_EQ(policy->isp_named("default"), &policy->default_isp());
    EXPECT_EQ(policy->isp_named("Nope"), nullptr);
    EXPECT_TRUE(policy->uses_mx());
    const ResolvedIsp& fallback = policy->default_isp();
    EXPECT_EQ(fallback.strategy->name, "default");
    ASSERT_EQ(fallback.locks.size(), 1u) << "defaults.locks";
    EXPECT_EQ(fallback.bounce_patterns.size(), 3u);
    EXPECT_EQ(policy->pool_named("bulk")->sources[0].helo, "mx.example.com");
    EXPECT_EQ(policy->pool_named("bulk")->sources[1].helo, "h.test");
}

TEST(CompiledPolicy, PoolChoicePrecedence) {
    const auto policy = CompiledPolicy::build(policy_config());
    const struct {
        std::string header, sender, listener, want;
    } cases[] = {
        {"", "", "", "bulk"},                       // defaults.pool
        {"tx", "example.com", "submission", "tx"},  // the header first
        {"nope", "example.com", "", "bulk"},        // an unknown header pool is ignored
        {"", "Example.COM", "submission", "bulk"},  // sender domain before listener
        {"", "a.example.org", "", "bulk"},          // "*.parent"
        {"", "example.org", "submission", "tx"},    // not a subdomain: the listener's
        {"", "example.net", "submission", "tx"},    // first pool listing the listener
        {"", "example.net", "smtp", "bulk"},
        {"default", "example.com", "", "default"},  // the implicit pool may be named
    };
    for (const auto& c : cases) {
        const std::string got = policy->pool_for(c.header, c.sender, c.listener).name;
        EXPECT_EQ(got, c.want) << "header \"" << c.header << "\", sender \"" << c.sender
                               << "\", listener \"" << c.listener << "\": got " << got << ", want "
                               << c.want;
    }
}

std::string describe(const Verdict& v) {
    const char* actions[] = {"delivered", "retry", "bounce"};
    std::string out = actions[static_cast<int>(v.action)];
    out += " " + v.bounce_class + " " + (v.category.empty() ? "-" : v.category);
    out += " pattern=" + (v.pattern != nullptr ? v.pattern->name : std::string("-"));
    out += " lock=" + (v.lock != nullptr ? v.lock->name : std::string("-"));
    return out;
}

TEST(CompiledPolicy, Judge) {
    const auto policy = CompiledPolicy::build(policy_config());
    const ResolvedIsp& gmail = *policy->isp_named("Gmail");
    const ResolvedIsp& fallback = policy->default_isp();
    const struct {
        const ResolvedIsp* isp;
        reply::ReplyFacts reply;
        std::string want;
    } cases[] = {
        {&gmail, {250, "2.0.0", "OK"}, "delivered success - pattern=- lock=-"},
        {&gmail, {421, "4.7.0", "Too many messages"}, "retry soft other pattern=- lock=throttled"},
        {&gmail, {421, "4.7.0", "Too many messages", true}, "retry soft other pattern=- lock=-"},
        {&gmail,
         {550, "5.1.1", "user does not exist"},
         "retry soft other pattern=gmail-user lock=-"},  // the ISP's pattern before the global
        {&fallback,
         {550, "5.1.1", "user does not exist"},
         "bounce hard bad-mailbox pattern=no-such-user lock=-"},
        {&gmail, {550, "5.1.1", "unknown"}, "bounce hard bad-mailbox pattern=no-such-user lock=-"},
        {&gmail, {452, "4.2.2", "over quota"}, "retry soft quota pattern=quota lock=-"},
        {&gmail,
         {550, "5.7.1", "accepted but filtered"},
         "delivered ignore other pattern=filtered lock=-"},
        {&gmail, {554, "5.7.1", "nothing known"}, "bounce hard other pattern=- lock=-"},
        {&gmail, {451, "", "try later"}, "retry soft other pattern=- lock=-"},
        {&gmail, {550, "5.7.1", "blocked S3150"}, "bounce hard other pattern=- lock=blocked"},
        {&fallback, {550, "5.7.1", "blocked S3150"}, "bounce hard other pattern=- lock=-"},
        {&fallback, {421, "4.7.0", "rate limited"}, "retry soft other pattern=- lock=throttled"},
        {&fallback,
         {421, "4.4.1", "connection timed out", true},
         "retry soft other pattern=- lock=-"},
    };
    for (const auto& c : cases) {
        const std::string got = describe(policy->judge(*c.isp, c.reply));
        EXPECT_EQ(got, c.want) << c.isp->name << " " << c.reply.code << " " << c.reply.enhanced
                               << " " << c.reply.text << ": got " << got << ", want " << c.want;
    }
}

TEST(CompiledPolicy, BuildThrowsOnWhatValidationCatches) {
    config::Config config = policy_config();
    config.policy.isps[0].strategy = "missing";
    EXPECT_THROW((void)CompiledPolicy::build(config), std::invalid_argument);
    config = policy_config();
    config.policy.lock_rules[0].match.text = "(";
    EXPECT_THROW((void)CompiledPolicy::build(config), std::invalid_argument);
}

}  // namespace
}  // namespace sluice::policy::engine
