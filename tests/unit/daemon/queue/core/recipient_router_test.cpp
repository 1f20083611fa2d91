#include "daemon/queue/core/recipient_router.hpp"

#include <gtest/gtest.h>

namespace sluice::daemon::queue {
namespace {

std::shared_ptr<const policy::config::Config> config_with_policy() {
    auto config = std::make_shared<policy::config::Config>();
    config->hostname = "mx.test";
    auto& p = config->policy;
    policy::config::Pool bulk;
    bulk.name = "bulk";
    bulk.sender_domains = {"bulk.example"};
    bulk.sources = {{"a", "127.0.0.4", "a.test", 1}, {"b", "127.0.0.5", "b.test", 1}};
    policy::config::Pool vip;
    vip.name = "vip";
    vip.sources = {{"v", "127.0.0.6", "", 1}};
    p.pools = {bulk, vip};
    policy::config::Isp gmail;
    gmail.name = "Gmail";
    gmail.domains = {"gmail.test"};
    gmail.mx_patterns = {"*.google.test"};
    policy::config::Isp pinned;
    pinned.name = "Pinned";
    pinned.domains = {"pinned.test"};
    pinned.pool = "vip";
    p.isps = {gmail, pinned};
    policy::config::Route route;
    route.domains = {"routed.test"};
    route.host = "127.0.0.9";
    config->routes = {route};
    return config;
}

MessagePtr message_from(std::string sender, std::string header_pool = {}) {
    spool::Envelope envelope;
    envelope.queue_id = "0123456789ABCDEF";
    envelope.sender = std::move(sender);
    envelope.listener = "test";
    envelope.recipients = {{"r@x.test", ""}};
    return make_queued_message(envelope, {}, header_pool);
}

class RecipientRouterTest : public ::testing::Test {
  protected:
    std::shared_ptr<const policy::config::Config> config = config_with_policy();
    std::shared_ptr<const policy::engine::CompiledPolicy> policy =
        policy::engine::CompiledPolicy::build(*config);
    WarmupBudgets warmups{policy};
    RecipientRouter router{config, policy, warmups};

    // The queue a route names ("ISP/source"), or "" without a route.
    std::string route(const QueuedMessage& message, const std::string& domain,
                      std::int64_t now_unix) {
        const auto routed = router.route(message, domain, now_unix);
        return routed ? to_string(routed->key) : "";
    }
};

TEST_F(RecipientRouterTest, ListedDomainsNeedNoLookupAndSourcesRotate) {
    auto message = message_from("news@bulk.example");
    EXPECT_EQ(route(*message, "gmail.test", 0), "Gmail/a");
    const auto b = router.route(*message, "gmail.test", 0);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->key, (QueueKey{"Gmail", "b"}));
    EXPECT_EQ(b->source_address, "127.0.0.5");
    EXPECT_EQ(b->helo, "b.test");
    EXPECT_EQ(route(*message, "gmail.test", 0), "Gmail/a");
    EXPECT_TRUE(router.take_wanted_lookups().empty());
}

TEST_F(RecipientRouterTest, ControlHeaderAndIspPoolChooseTheSource) {
    EXPECT_EQ(route(*message_from("x@bulk.example", "vip"), "gmail.test", 0), "Gmail/v");
    EXPECT_EQ(route(*message_from("x@bulk.example"), "pinned.test", 0), "Pinned/v");
    EXPECT_EQ(route(*message_from("x@other.example"), "gmail.test", 0), "Gmail/default");
}

TEST_F(RecipientRouterTest, UnlistedDomainsWaitForTheirMxHosts) {
    auto message = message_from("x@other.example");
    EXPECT_FALSE(router.route(*message, "company.test", 100));
    EXPECT_FALSE(router.route(*message, "company.test", 100));
    EXPECT_EQ(router.take_wanted_lookups(), (std::vector<std::string>{"company.test"}))
        << "one lookup per domain";
    router.mx_known("company.test", {"aspmx.l.google.test"}, 100, 200);
    EXPECT_EQ(route(*message, "company.test", 150), "Gmail/default") << "an ISP's queue";
    EXPECT_EQ(router.isp_of("company.test", 150)->name, "Gmail");
    EXPECT_FALSE(router.route(*message, "company.test", 201)) << "the answer expired";
    router.mx_known("other.test", {"mx.other.test"}, 100, 200);
    EXPECT_EQ(route(*message, "other.test", 150), "default:mx.other.test/default");
}

TEST_F(RecipientRouterTest, TheLongTailIsQueuedPerSiteTheSetOfItsMxHosts) {
    auto message = message_from("x@other.example");
    // Same hosts in another order, case or with the root dot: one site.
    router.mx_known("one.test", {"mx2.hosting.test", "mx1.hosting.test"}, 100, 200);
    router.mx_known("two.test", {"MX1.hosting.test.", "mx2.hosting.test"}, 100, 200);
    router.mx_known("three.test", {"mx1.hosting.test"}, 100, 200);
    EXPECT_EQ(route(*message, "one.test", 150),
              "default:mx1.hosting.test,mx2.hosting.test/default");
    EXPECT_EQ(route(*message, "two.test", 150),
              "default:mx1.hosting.test,mx2.hosting.test/default");
    EXPECT_EQ(route(*message, "three.test", 150), "default:mx1.hosting.test/default");
    const auto routed = router.route(*message, "one.test", 150);
    ASSERT_TRUE(routed);
    EXPECT_EQ(routed->key, (QueueKey{"default", "default", "mx1.hosting.test,mx2.hosting.test"}));
    EXPECT_EQ(router.last_known_site("two.test"), "mx1.hosting.test,mx2.hosting.test");
    EXPECT_EQ(router.last_known_site("company.test"), "") << "never looked up";
    // A failed lookup (no hosts): the domain is its own site.
    router.mx_known("broken.test", {}, 100, 160);
    EXPECT_EQ(route(*message, "broken.test", 150), "default:broken.test/default");
}

TEST_F(RecipientRouterTest, StaleAnswersAreForgottenAsTheTableGrows) {
    // An answer is kept an hour past its validity (the expiry sweep may still ask), then
    // dropped when the table has grown enough to be scanned.
    router.mx_known("old.test", {"mx.old.test"}, 0, 10);
    EXPECT_EQ(router.last_known_site("old.test"), "mx.old.test");
    for (int i = 0; i < 2000; ++i) {
        router.mx_known("d" + std::to_string(i) + ".test", {"mx.test"}, 5000, 9000);
    }
    EXPECT_EQ(router.last_known_site("old.test"), "") << "forgotten";
    EXPECT_EQ(router.last_known_site("d1999.test"), "mx.test");
    EXPECT_EQ(router.known_domains(), 2000u);
}

TEST_F(RecipientRouterTest, StaticallyRoutedDomainsAreTheirOwnSitesWithoutLookup) {
    EXPECT_EQ(route(*message_from("x@other.example"), "routed.test", 0),
              "default:routed.test/default");
    EXPECT_TRUE(router.take_wanted_lookups().empty());
}

TEST_F(RecipientRouterTest, ReconfigureForgetsMxAnswers) {
    router.mx_known("company.test", {"mx.google.test"}, 0, 1000);
    router.reconfigure(config, policy);
    EXPECT_FALSE(router.route(*message_from("x@y.example"), "company.test", 0));
}

}  // namespace
}  // namespace sluice::daemon::queue
