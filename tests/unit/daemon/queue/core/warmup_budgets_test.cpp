// Warm-up budgets on a simulated clock: a day-1 cap of N lets exactly N recipients go however
// many connections ask, what did not deliver goes back, local midnight starts a fresh day, a
// restart resumes the day's count, and over the cap mail waits (warmup-cap) or goes through a
// warm source of the pool.
#include "daemon/queue/core/warmup_budgets.hpp"

#include <gtest/gtest.h>

#include "daemon/queue/core/admission.hpp"
#include "daemon/queue/core/recipient_router.hpp"
#include "policy/config/load.hpp"
#include "policy/warmup/calendar_date.hpp"

namespace sluice::daemon::queue {
namespace {

using namespace std::chrono_literals;
using Wall = std::chrono::sys_seconds;

const Instant kSteady = Instant{} + 1000h;

// Source "new" of pool "p" warms up from 2026-12-07 (Europe/Berlin days): 5 a day to Gmail,
// 20 elsewhere, doubling; "old" is warm. `over_cap` is the schedule's.
std::pair<std::shared_ptr<const policy::config::Config>,
          std::shared_ptr<const policy::engine::CompiledPolicy>>
warming_policy(const std::string& over_cap = "wait", const std::string& rate = "") {
    const std::string text =
        "hostname = \"mx.test\";\n"
        "spool = { directory = \"spool\"; };\n"
        "smtp = { listen = ( { address = \"127.0.0.1\"; port = 2525; } ); };\n"
        "warmups = ( { name = \"w\"; time_zone = \"Europe/Berlin\"; warm_from_day = 10;\n"
        "  over_cap = \"" +
        over_cap +
        "\";\n"
        "  days = ( { day = 1; isp = \"Gmail\"; daily = 5; growth = 2.0; " +
        (rate.empty() ? "" : "message_rate = \"" + rate + "\"; ") +
        "},\n"
        "           { day = 1; daily = 20; } ); } );\n"
        "pools = ( { name = \"p\"; sources = ( { name = \"new\"; warmup = \"w\";\n"
        "  warmup_start = \"2026-12-07\"; }, { name = \"old\"; } ); } );\n"
        "isps = ( { name = \"Gmail\"; domains = [ \"gmail.test\" ]; pool = \"p\"; } );\n";
    auto loaded = policy::config::load_config_text(text, "t.conf");
    if (!loaded.errors.empty()) throw std::runtime_error(loaded.errors.front().message);
    return {loaded.config, policy::engine::CompiledPolicy::build(*loaded.config)};
}

// 2026-12-07 at `time` in Berlin (UTC+1 in December).
Wall berlin(std::int32_t day_offset, std::chrono::seconds time) {
    return Wall(std::chrono::days(*policy::warmup::parse_date("2026-12-07") + day_offset)) + time -
           1h;
}

TEST(WarmupBudgets, DayOneCapLetsExactlyThatManyGoAcrossConnections) {
    auto [config, policy] = warming_policy();
    DestinationRegistry registry(policy);
    AdmissionControl admission(registry);
    auto& queue = registry.ensure(Route{QueueKey{"Gmail", "new"}, "p", "", ""});
    ASSERT_NE(queue.warmup, nullptr);
    EXPECT_EQ(registry.ensure(Route{QueueKey{"Gmail", "old"}, "p", "", ""}).warmup, nullptr);
    // Three connections ask for batches of two in turn all day long.
    std::uint64_t sent = 0;
    for (auto t = berlin(0, 9h); t < berlin(0, 23h); t += 1min) {
        if (admission.may_connect(queue, kSteady, t, 0, 100).reason != Blocked::none) continue;
        for (int connection = 0; connection < 3; ++connection) {
            sent += WarmupBudgets::reserve(*queue.warmup, t, 2);
        }
    }
    EXPECT_EQ(sent, 5u);
    EXPECT_EQ(queue.warmup->taken, 5u);
    EXPECT_EQ(queue.blocked, Blocked::warmup_cap);
    EXPECT_EQ(registry.warmups().next_refill(), berlin(1, 0s));
    // Local midnight: day 2, twice the cap.
    EXPECT_EQ(admission.may_connect(queue, kSteady, berlin(1, 0s), 0, 100).reason, Blocked::none);
    EXPECT_EQ(queue.warmup->day, 2u);
    EXPECT_EQ(queue.warmup->cap, 10u);
    EXPECT_EQ(WarmupBudgets::reserve(*queue.warmup, berlin(1, 1s), 100), 10u);
}

TEST(WarmupBudgets, WhatWasNotDeliveredGoesBackToItsOwnDay) {
    auto [config, policy] = warming_policy();
    WarmupBudgets budgets(policy);
    auto* budget = budgets.budget_for("new", "Gmail");
    ASSERT_NE(budget, nullptr);
    EXPECT_EQ(budgets.budget_for("old", "Gmail"), nullptr);
    EXPECT_EQ(WarmupBudgets::reserve(*budget, berlin(0, 10h), 4), 4u);
    const auto day_one = budget->date;
    WarmupBudgets::settle(*budget, day_one, 4, 1);  // three deferred
    EXPECT_EQ(budget->taken, 1u);
    EXPECT_EQ(WarmupBudgets::reserve(*budget, berlin(0, 11h), 9), 4u);
    // In flight over midnight: the next day does not get the old day's slots back.
    EXPECT_EQ(WarmupBudgets::reserve(*budget, berlin(1, 1h), 3), 3u);
    WarmupBudgets::settle(*budget, day_one, 4, 0);
    EXPECT_EQ(budget->taken, 3u);
}

TEST(WarmupBudgets, ARestartResumesTodaysCountAndForgetsOlderDays) {
    auto [config, policy] = warming_policy();
    WarmupBudgets before(policy);
    auto* budget = before.budget_for("new", "Gmail");
    (void)WarmupBudgets::reserve(*budget, berlin(0, 10h), 3);
    (void)WarmupBudgets::reserve(*before.budget_for("new", "default"), berlin(0, 10h), 7);
    const auto saved = before.counts();
    ASSERT_EQ(saved.size(), 2u);
    EXPECT_EQ(saved[0], (WarmupCount{"new", "Gmail", budget->date, 3}));

    WarmupBudgets after(policy);
    for (const auto& count : saved) after.restore(count, berlin(0, 15h));
    EXPECT_EQ(WarmupBudgets::reserve(*after.budget_for("new", "Gmail"), berlin(0, 15h), 10), 2u);
    WarmupBudgets next_day(policy);
    for (const auto& count : saved) next_day.restore(count, berlin(1, 8h));
    EXPECT_EQ(WarmupBudgets::reserve(*next_day.budget_for("new", "Gmail"), berlin(1, 8h), 100),
              10u);
    // A source that no longer warms up has no budget to restore.
    WarmupBudgets elsewhere(policy);
    elsewhere.restore(WarmupCount{"old", "Gmail", budget->date, 3}, berlin(0, 15h));
    EXPECT_TRUE(elsewhere.all().empty());
}

TEST(WarmupBudgets, AReloadTakesTheNewScheduleAndKeepsTodaysCount) {
    auto [config, policy] = warming_policy();
    DestinationRegistry registry(policy);
    auto& queue = registry.ensure(Route{QueueKey{"Gmail", "new"}, "p", "", ""});
    EXPECT_EQ(WarmupBudgets::reserve(*queue.warmup, berlin(0, 10h), 4), 4u);
    // The same day under a schedule that allows 5 a day to every ISP: one more.
    auto text_policy = [](const std::string& sources) {
        const std::string text =
            "hostname = \"mx.test\";\n"
            "spool = { directory = \"spool\"; };\n"
            "smtp = { listen = ( { address = \"127.0.0.1\"; port = 2525; } ); };\n"
            "warmups = ( { name = \"w\"; time_zone = \"Europe/Berlin\"; warm_from_day = 10;\n"
            "  days = ( { day = 1; daily = 5; } ); } );\n"
            "pools = ( { name = \"p\"; sources = ( " +
            sources +
            " ); } );\n"
            "isps = ( { name = \"Gmail\"; domains = [ \"gmail.test\" ]; pool = \"p\"; } );\n";
        auto loaded = policy::config::load_config_text(text, "t.conf");
        if (!loaded.errors.empty()) throw std::runtime_error(loaded.errors.front().message);
        return policy::engine::CompiledPolicy::build(*loaded.config);
    };
    registry.reconfigure(text_policy(
        "{ name = \"new\"; warmup = \"w\"; warmup_start = \"2026-12-07\"; }, { name = \"old\"; }"));
    ASSERT_NE(queue.warmup, nullptr);
    // Saved as it was, before anything rolls it (a kill -9 now must not reset it).
    ASSERT_EQ(registry.warmups().counts().size(), 1u);
    EXPECT_EQ(registry.warmups().counts()[0].taken, 4u);
    EXPECT_EQ(WarmupBudgets::reserve(*queue.warmup, berlin(0, 11h), 4), 1u);
    // The source's warm-up removed: no budget, no limit.
    registry.reconfigure(text_policy("{ name = \"new\"; }, { name = \"old\"; }"));
    EXPECT_EQ(queue.warmup, nullptr);
    EXPECT_TRUE(registry.warmups().counts().empty());
}

TEST(WarmupBudgets, ASpentBudgetWithoutMailIsFullAgainAfterMidnight) {
    auto [config, policy] = warming_policy();
    WarmupBudgets budgets(policy);
    (void)WarmupBudgets::reserve(*budgets.budget_for("new", "Gmail"), berlin(0, 10h), 5);
    budgets.roll_all(berlin(0, 11h));
    EXPECT_EQ(budgets.next_refill(), berlin(1, 0s));
    // No queue asks again, yet the scheduler's pass turns the day: no wake-up in the past.
    budgets.roll_all(berlin(1, 1s));
    EXPECT_EQ(budgets.next_refill(), std::nullopt);
    EXPECT_FALSE(budgets.spent("new", "Gmail", berlin(1, 1s)));
}

TEST(WarmupBudgets, TheDaysRateIsAdmissionsToo) {
    auto [config, policy] = warming_policy("wait", "2/h");
    DestinationRegistry registry(policy);
    AdmissionControl admission(registry);
    auto& queue = registry.ensure(Route{QueueKey{"Gmail", "new"}, "p", "", ""});
    const auto noon = berlin(0, 12h);
    EXPECT_EQ(admission.may_connect(queue, kSteady, noon, 0, 100).reason, Blocked::none);
    const auto next = admission.may_send(queue, kSteady, noon);
    EXPECT_EQ(next.reason, Blocked::warmup_rate);
    EXPECT_EQ(next.retry_at, kSteady + 30min);
    EXPECT_EQ(admission.may_send(queue, kSteady + 30min, noon).reason, Blocked::none);
}

MessagePtr to_gmail() {
    spool::Envelope envelope;
    envelope.queue_id = "0123456789ABCDEF";
    envelope.sender = "s@example.test";
    envelope.recipients = {{"r@gmail.test", ""}};
    return make_queued_message(envelope, {}, "");
}

TEST(WarmupBudgets, OverTheCapMailWaitsOrGoesThroughAWarmSource) {
    for (const std::string over_cap : {"wait", "warm_sources"}) {
        auto [config, policy] = warming_policy(over_cap);
        WarmupBudgets budgets(policy);
        RecipientRouter router(config, policy, budgets);
        const auto message = to_gmail();
        const auto now = berlin(0, 12h);
        const auto now_unix = now.time_since_epoch().count();
        // Before the cap is spent the rotation alternates; after it, "new" is skipped or not.
        EXPECT_EQ(router.route(*message, "gmail.test", now_unix)->key.source, "new");
        EXPECT_EQ(router.route(*message, "gmail.test", now_unix)->key.source, "old");
        (void)WarmupBudgets::reserve(*budgets.budget_for("new", "Gmail"), now, 5);
        auto two_routes = [&](std::int64_t at) {
            std::vector<std::string> sources;
            for (int i = 0; i < 2; ++i) {
                sources.push_back(router.route(*message, "gmail.test", at)->key.source);
            }
            return sources;
        };
        using Sources = std::vector<std::string>;
        EXPECT_EQ(two_routes(now_unix),
                  over_cap == "wait" ? Sources({"new", "old"}) : Sources({"old", "old"}));
        EXPECT_EQ(router.overflows("new", *policy->pool_named("p"), now_unix),
                  over_cap == "warm_sources");
        // The next day the budget is full again.
        EXPECT_EQ(two_routes(now_unix + 86400), Sources({"new", "old"}));
    }
}

}  // namespace
}  // namespace sluice::daemon::queue
