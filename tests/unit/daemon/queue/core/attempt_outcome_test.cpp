// Table tests for decide_attempt: every reply class (2xx, 4xx, 5xx, no reply after the dot, a
// 2xx out of step) × the ISP's bounce patterns (hard, soft, ignore) × lock rules (a server's
// reply locks, Sluice's own never does) × retry and expiry, and what the queue learns.
#include "daemon/queue/core/attempt_outcome.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>

namespace sluice::daemon::queue {
namespace {

using namespace std::chrono_literals;
using delivery::RecipientOutcome;
using policy::retry::TimePoint;

constexpr TimePoint kArrival{std::chrono::seconds(1'700'000'000)};

std::shared_ptr<const policy::engine::CompiledPolicy> test_policy() {
    policy::config::Config config;
    config.hostname = "mx.test";
    auto& p = config.policy;
    policy::config::RetryRule fast;
    fast.name = "fast";
    fast.kind = policy::config::RetryIntervalKind::fixed;
    fast.interval = 60s;
    fast.expire_after = 1h;
    p.retry_rules = {fast};
    policy::config::LockRule throttle;
    throttle.name = "throttle";
    throttle.match.code = "421";
    throttle.lock_for = 10min;
    p.lock_rules = {throttle};
    policy::config::Isp isp;
    isp.name = "Test";
    isp.domains = {"test.example"};
    isp.retry = "fast";
    isp.locks = {"throttle"};
    policy::config::BouncePattern rate;
    rate.name = "rate-as-mailbox";
    rate.match.code = "5";
    rate.match.text = "too many recipients this hour";
    rate.bounce_class = policy::config::BounceClass::soft;
    rate.category = "rate-limit";
    policy::config::BouncePattern filtered;
    filtered.name = "filtered";
    filtered.match.code = "5";
    filtered.match.text = "accepted but filtered";
    filtered.bounce_class = policy::config::BounceClass::ignore;
    filtered.category = "policy";
    isp.bounce_patterns = {rate, filtered};
    p.isps = {isp};
    return policy::engine::CompiledPolicy::build(config);
}

delivery::RecipientResult result(RecipientOutcome outcome, int code, std::string enhanced,
                                 std::string text, bool synthetic = false) {
    smtp::Reply reply{code, std::move(enhanced), std::move(text)};
    return {outcome, reply, synthetic};
}

// "retry@+60 deferred", "bounced 5.1.1 remote", "expired 4.4.7", "delivered delivered".
std::string brief(const RecipientDecision& d) {
    std::string out;
    switch (d.change) {
        case RecipientChange::delivered:
            out = "delivered " + std::string(acclog::to_string(d.attempt_outcome));
            break;
        case RecipientChange::retry:
            out = fmt::format("retry@+{} {}", d.retry_at_unix - kArrival.time_since_epoch().count(),
                              acclog::to_string(d.attempt_outcome));
            break;
        case RecipientChange::bounced:
            out = "bounced " + d.status + (d.remote_reply ? " remote" : "");
            break;
        case RecipientChange::expired:
            out = "expired " + d.status + " after " +
                  std::string(acclog::to_string(d.attempt_outcome));
            break;
    }
    if (d.out_of_step_success) out += " out-of-step";
    if (!d.verdict.category.empty()) out += " [" + d.verdict.category + "]";
    return out;
}

std::string brief(const QueueLessons& q) {
    std::string out = fmt::format("d{} r{} b{} e{}", q.delivered, q.deferred, q.bounced, q.expired);
    if (q.throttled) out += " throttled";
    for (const auto& hit : q.locks) out += " lock:" + hit.rule->name;
    return out;
}

struct Case {
    const char* name;
    delivery::RecipientResult result;
    std::string want;
    std::string want_lessons;
    std::chrono::seconds now_after_arrival = 100s;
    bool retry_possibly_delivered = true;
};

TEST(DecideAttempt, Table) {
    const auto policy = test_policy();
    const auto& isp = *policy->isp_by_domain("test.example");
    const Case cases[] = {
        {"2xx after the content is delivered",
         result(RecipientOutcome::delivered, 250, "2.0.0", "queued"), "delivered delivered",
         "d1 r0 b0 e0"},
        {"5xx is bounced with the server's code",
         result(RecipientOutcome::bounced, 550, "5.1.1", "No such user"),
         "bounced 5.1.1 remote [other]", "d0 r0 b1 e0"},
        {"5xx without an enhanced code gets 5.0.0",
         result(RecipientOutcome::bounced, 554, "", "go away"), "bounced 5.0.0 remote [other]",
         "d0 r0 b1 e0"},
        {"Sluice's own 5xx bounces without a Remote-MTA",
         result(RecipientOutcome::bounced, 554, "5.6.3", "8-bit content", true),
         "bounced 5.6.3 [other]", "d0 r0 b1 e0"},
        {"4xx is retried under the ISP's rule and slows the queue",
         result(RecipientOutcome::deferred, 451, "4.3.0", "try later"),
         "retry@+160 deferred [other]", "d0 r1 b0 e0 throttled"},
        {"Sluice's own 4xx is retried without slowing the queue",
         result(RecipientOutcome::deferred, 451, "4.4.1", "connection refused", true),
         "retry@+160 deferred [other]", "d0 r1 b0 e0"},
        {"a server's 421 locks the queue",
         result(RecipientOutcome::deferred, 421, "4.7.0", "slow down"),
         "retry@+160 deferred [other]", "d0 r1 b0 e0 throttled lock:throttle"},
        {"Sluice's own 421 locks nothing",
         result(RecipientOutcome::deferred, 421, "4.4.2", "timeout", true),
         "retry@+160 deferred [other]", "d0 r1 b0 e0"},
        {"a soft pattern retries a 5xx that means a rate limit",
         result(RecipientOutcome::bounced, 550, "5.2.1", "too many recipients this hour"),
         "retry@+160 deferred [rate-limit]", "d0 r1 b0 e0 throttled"},
        {"an ignore pattern counts a 5xx as delivered",
         result(RecipientOutcome::bounced, 550, "5.7.1", "accepted but filtered"),
         "delivered accepted-by-rule [policy]", "d1 r0 b0 e0"},
        {"no reply after the dot is retried when configured",
         result(RecipientOutcome::possibly_delivered, 451, "4.4.2", "lost", true),
         "retry@+160 possibly-delivered", "d0 r1 b0 e0"},
        {"no reply after the dot counts as delivered when configured",
         result(RecipientOutcome::possibly_delivered, 451, "4.4.2", "lost", true),
         "delivered possibly-delivered", "d1 r0 b0 e0", 100s, false},
        {"a 2xx that ended no transaction is never a delivery",
         result(RecipientOutcome::deferred, 250, "2.0.0", "ok to DATA"),
         "retry@+160 deferred out-of-step [protocol]", "d0 r1 b0 e0 throttled"},
        {"a retry after the deadline expires",
         result(RecipientOutcome::deferred, 451, "4.3.0", "try later"),
         "expired 4.4.7 after deferred [other]", "d0 r0 b0 e1", 3550s},
        {"a lock still applies when the recipient expires",
         result(RecipientOutcome::deferred, 421, "4.7.0", "slow down"),
         "expired 4.4.7 after deferred [other]", "d0 r0 b0 e1 lock:throttle", 3550s},
    };
    for (const Case& c : cases) {
        const AttemptRules rules{*policy, isp, c.retry_possibly_delivered};
        const RecipientAttempt attempt{3, 2, c.result};
        const auto outcome =
            decide_attempt({&attempt, 1}, rules, kArrival, kArrival + c.now_after_arrival, 0.0);
        ASSERT_EQ(outcome.recipients.size(), 1u) << c.name;
        EXPECT_EQ(outcome.recipients[0].index, 3u) << c.name;
        EXPECT_EQ(brief(outcome.recipients[0]), c.want) << c.name;
        EXPECT_EQ(brief(outcome.queue), c.want_lessons) << c.name;
    }
}

TEST(DecideAttempt, TextsForTheRecordsAndTheDsn) {
    const auto policy = test_policy();
    const AttemptRules rules{*policy, *policy->isp_by_domain("test.example"), true};
    const RecipientAttempt attempts[] = {
        {0, 1, result(RecipientOutcome::bounced, 550, "5.1.1", "No such user")},
        {1, 9, result(RecipientOutcome::deferred, 451, "4.3.0", "try later")},
    };
    const auto outcome = decide_attempt(attempts, rules, kArrival, kArrival + 3550s, 0.0);
    const auto& bounced = outcome.recipients[0];
    EXPECT_EQ(bounced.reply, "550 5.1.1 No such user");
    EXPECT_EQ(bounced.diagnostic, "550 5.1.1 No such user");
    EXPECT_EQ(bounced.final_outcome, acclog::Outcome::bounced);
    const auto& expired = outcome.recipients[1];
    EXPECT_EQ(expired.diagnostic, "Message expired in queue; last reply: 451 4.3.0 try later");
    EXPECT_EQ(expired.final_outcome, acclog::Outcome::expired);
    EXPECT_EQ(brief(outcome.queue), "d0 r0 b1 e1");
}

}  // namespace
}  // namespace sluice::daemon::queue
