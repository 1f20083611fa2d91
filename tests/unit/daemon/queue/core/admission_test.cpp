#include "daemon/queue/core/admission.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "tests/unit/daemon/queue/core/gmail_policy.hpp"

namespace sluice::daemon::queue {
namespace {

using namespace std::chrono_literals;
using policy::config::Rate;

const Instant kStart = Instant{} + 1000h;
const WallTime kWall = WallTime(std::chrono::seconds(1'800'000'000));

using queue_test::compile;
using queue_test::strategy;

// A registry and the admission control over it, as the queue manager holds them.
struct Destinations {
    explicit Destinations(std::shared_ptr<const policy::engine::CompiledPolicy> policy)
        : registry(std::move(policy)) {}
    DestinationQueue& queue(const std::string& isp, const std::string& source,
                            const std::string& site = {}) {
        return registry.ensure(Route{QueueKey{isp, source, site}, "", "", ""});
    }
    DestinationRegistry registry;
    AdmissionControl admission{registry};
};

TEST(AdmissionControl, CapsConnectionsPerQueueAndInTotal) {
    Destinations d(compile({strategy(2)}));
    auto& queue = d.queue("Gmail", "a");
    EXPECT_EQ(queue.name, "Gmail/a");
    EXPECT_EQ(d.admission.may_connect(queue, kStart, kWall, 0, 10).reason, Blocked::none);
    queue.active = 2;
    EXPECT_EQ(d.admission.may_connect(queue, kStart, kWall, 2, 10).reason, Blocked::connection_cap);
    queue.active = 1;
    EXPECT_EQ(d.admission.may_connect(queue, kStart, kWall, 10, 10).reason,
              Blocked::total_connections);
    EXPECT_EQ(queue.blocked, Blocked::total_connections);
}

TEST(AdmissionControl, PacesMessagesPerQueueAndPerIsp) {
    Destinations d(compile({strategy(5, Rate{60, 1min}, Rate{90, 1min})}));
    auto& a = d.queue("Gmail", "a");
    auto& b = d.queue("Gmail", "b");
    EXPECT_EQ(d.admission.may_send(a, kStart, kWall).reason, Blocked::none);
    auto again = d.admission.may_send(a, kStart, kWall);
    EXPECT_EQ(again.reason, Blocked::message_rate);
    EXPECT_EQ(again.retry_at, kStart + 1s);
    // b has its own 1/s but shares the ISP's 1.5/s with a.
    auto shared = d.admission.may_send(b, kStart + 100ms, kWall);
    EXPECT_EQ(shared.reason, Blocked::isp_message_rate);
    EXPECT_EQ(shared.retry_at, kStart + 666'666'666ns);
    EXPECT_EQ(d.admission.may_send(b, kStart + 700ms, kWall).reason, Blocked::none);
    // Over a simulated hour the ISP's rate holds across both queues.
    int sent = 2;
    for (auto t = kStart + 701ms; t < kStart + 1h; t += 10ms) {
        sent += d.admission.may_send(a, t, kWall).reason == Blocked::none;
        sent += d.admission.may_send(b, t, kWall).reason == Blocked::none;
    }
    EXPECT_NEAR(sent, 90 * 60, 2);
}

TEST(AdmissionControl, NoConnectionBeforeAMessageMayGo) {
    Destinations d(compile({strategy(5, Rate{1, 1min})}));
    auto& queue = d.queue("Gmail", "a");
    ASSERT_EQ(d.admission.may_send(queue, kStart, kWall).reason, Blocked::none);
    auto admission = d.admission.may_connect(queue, kStart + 1s, kWall, 0, 10);
    EXPECT_EQ(admission.reason, Blocked::message_rate);
    EXPECT_EQ(admission.retry_at, kStart + 1min);
}

TEST(AdmissionControl, AConnectionTakesItsFirstMessagesSlot) {
    // The ISP allows one message a minute over two queues: one connection per slot, not two.
    Destinations d(compile({strategy(5, std::nullopt, Rate{1, 1min})}));
    auto& a = d.queue("Gmail", "a");
    auto& b = d.queue("Gmail", "b");
    EXPECT_EQ(d.admission.may_connect(a, kStart, kWall, 0, 10).reason, Blocked::none);
    auto second = d.admission.may_connect(b, kStart, kWall, 1, 10);
    EXPECT_EQ(second.reason, Blocked::isp_message_rate);
    EXPECT_EQ(second.retry_at, kStart + 1min);
    // Unlimited queues open connections in parallel up to the cap.
    Destinations u(compile({strategy(2)}));
    auto& open = u.queue("Gmail", "a");
    EXPECT_EQ(u.admission.may_connect(open, kStart, kWall, 0, 10).reason, Blocked::none);
    open.active = 1;
    EXPECT_EQ(u.admission.may_connect(open, kStart, kWall, 1, 10).reason, Blocked::none);
}

TEST(AdmissionControl, NoSecondConnectionWhileOneWaitsForTheRate) {
    Destinations d(compile({strategy(5, Rate{60, 1min}, Rate{600, 1min})}));
    auto& a = d.queue("Gmail", "a");
    auto& b = d.queue("Gmail", "b");
    a.active = 1;
    d.admission.begin_pacing(a);
    EXPECT_EQ(d.admission.may_connect(a, kStart, kWall, 1, 10).reason, Blocked::message_rate);
    EXPECT_EQ(d.admission.may_connect(b, kStart, kWall, 1, 10).reason, Blocked::isp_message_rate)
        << "a waits for the ISP's rate too";
    d.admission.end_pacing(a);
    EXPECT_EQ(d.admission.may_connect(a, kStart, kWall, 1, 10).reason, Blocked::none);
}

TEST(AdmissionControl, LocksStopAQueueOrTheWholeIspUntilTheyExpire) {
    policy::config::LockRule source_lock;
    source_lock.name = "throttled";
    source_lock.lock_for = 30min;
    policy::config::LockRule isp_lock = source_lock;
    isp_lock.name = "blocked";
    isp_lock.scope = policy::config::LockScope::isp;
    Destinations d(compile({strategy(5)}, {source_lock, isp_lock}));
    auto& a = d.queue("Gmail", "a");
    auto& b = d.queue("Gmail", "b");

    d.admission.lock(a, source_lock, "421 4.7.0 slow down", kWall);
    EXPECT_EQ(d.admission.may_connect(a, kStart, kWall + 29min, 0, 10).reason, Blocked::locked);
    EXPECT_EQ(d.admission.may_connect(b, kStart, kWall + 29min, 0, 10).reason, Blocked::none);
    EXPECT_EQ(d.admission.lock_of(a, kWall)->reply, "421 4.7.0 slow down");
    EXPECT_EQ(d.admission.expire_locks(kWall), kWall + 30min);
    EXPECT_EQ(d.admission.may_connect(a, kStart, kWall + 30min, 0, 10).reason, Blocked::none);

    const auto later = kWall + 31min;
    d.admission.lock(b, isp_lock, "554 blocked", later);
    EXPECT_EQ(d.admission.stopped(a, later), Blocked::isp_locked);
    EXPECT_TRUE(d.admission.unlock_isp("Gmail"));
    EXPECT_EQ(d.admission.stopped(a, later), Blocked::none);
}

TEST(AdmissionControl, AnIspScopeLockOnASiteOfTheLongTailStopsThatSiteOnly) {
    policy::config::LockRule blocked;
    blocked.name = "blocked";
    blocked.lock_for = 30min;
    blocked.scope = policy::config::LockScope::isp;
    Destinations d(compile({strategy(5)}, {blocked}));
    auto& one_a = d.queue("default", "a", "mx.one.test");
    auto& one_b = d.queue("default", "b", "mx.one.test");
    auto& two_a = d.queue("default", "a", "mx.two.test");
    EXPECT_EQ(one_a.name, "default:mx.one.test/a");
    EXPECT_EQ(one_a.destination(), "default:mx.one.test");

    d.admission.lock(one_a, blocked, "554 5.7.1 blocked", kWall);
    EXPECT_EQ(d.admission.stopped(one_a, kWall), Blocked::isp_locked);
    EXPECT_EQ(d.admission.stopped(one_b, kWall), Blocked::isp_locked) << "the site, every source";
    EXPECT_EQ(d.admission.stopped(two_a, kWall), Blocked::none) << "other sites go on";
    EXPECT_TRUE(d.admission.unlock_isp("default")) << "the ISP's name covers its sites";
    EXPECT_EQ(d.admission.stopped(one_a, kWall), Blocked::none);

    d.admission.lock(two_a, blocked, "554 5.7.1 blocked", kWall);
    EXPECT_FALSE(d.admission.unlock_isp("default:mx.one.test"));
    EXPECT_TRUE(d.admission.unlock_isp("default:mx.two.test"));
    EXPECT_EQ(d.admission.stopped(two_a, kWall), Blocked::none);
}

TEST(AdmissionControl, HoldsNameAnIspASiteOrAQueue) {
    Destinations d(compile({strategy(5)}));
    auto& one = d.queue("default", "a", "mx.one.test");
    auto& two = d.queue("default", "a", "mx.two.test");
    d.admission.hold("default:mx.one.test", true);
    EXPECT_EQ(d.admission.stopped(one, kWall), Blocked::held);
    EXPECT_EQ(d.admission.stopped(two, kWall), Blocked::none);
    d.admission.hold("default:mx.one.test", false);
    d.admission.hold("default", true);
    EXPECT_EQ(d.admission.stopped(two, kWall), Blocked::held) << "the ISP holds all its sites";
    d.admission.hold("default", false);
    d.admission.hold("default:mx.two.test/a", true);
    EXPECT_EQ(d.admission.stopped(two, kWall), Blocked::held);
    EXPECT_EQ(d.admission.stopped(one, kWall), Blocked::none);
    d.admission.hold("default:mx.two.test/a", false);
    auto& other_source = d.queue("default", "b", "mx.one.test");
    d.admission.hold("default/a", true);
    EXPECT_EQ(d.admission.stopped(one, kWall), Blocked::held) << "every site sent from a";
    EXPECT_EQ(d.admission.stopped(two, kWall), Blocked::held);
    EXPECT_EQ(d.admission.stopped(other_source, kWall), Blocked::none);
}

TEST(AdmissionControl, UnlockingIspAndSourceLiftsThatSourcesSiteLocks) {
    policy::config::LockRule throttled;
    throttled.name = "throttled";
    throttled.lock_for = 30min;
    Destinations d(compile({strategy(5)}, {throttled}));
    auto& one = d.queue("default", "a", "mx.one.test");
    auto& other_source = d.queue("default", "b", "mx.one.test");
    d.admission.lock(one, throttled, "421 slow down", kWall);
    d.admission.lock(other_source, throttled, "421 slow down", kWall);
    EXPECT_TRUE(d.admission.unlock_queue(QueueKey{"default", "a"}));
    EXPECT_EQ(d.admission.stopped(one, kWall), Blocked::none);
    EXPECT_EQ(d.admission.stopped(other_source, kWall), Blocked::locked);
}

TEST(AdmissionControl, EachSiteHasItsOwnConnectionsAndRate) {
    Destinations d(compile({strategy(1, Rate{60, 1min}, Rate{60, 1min})}));
    auto& one = d.queue("default", "a", "mx.one.test");
    auto& two = d.queue("default", "a", "mx.two.test");
    one.active = 1;
    EXPECT_EQ(d.admission.may_connect(one, kStart, kWall, 1, 10).reason, Blocked::connection_cap);
    EXPECT_EQ(d.admission.may_connect(two, kStart, kWall, 1, 10).reason, Blocked::none)
        << "another site's cap and its isp_message_rate are its own";
    EXPECT_EQ(d.admission.may_send(one, kStart, kWall).reason, Blocked::none);
}

// The status endpoint tells a queue's own lock from its ISP's by own_lock.
TEST(AdmissionControl, OwnLockTellsAQueuesLockFromItsDestinations) {
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
        Destinations d(compile({strategy(5)}, {rule}));
        auto& queue = d.queue("Gmail", "a");
        d.admission.lock(queue, rule, "421 slow down", kWall);
        const bool queue_found = d.admission.own_lock(queue, kWall) != nullptr;
        const bool isp_found = !queue_found && d.admission.lock_of(queue, kWall) != nullptr;
        EXPECT_EQ(queue_found, c.queue_key_found)
            << "scope " << static_cast<int>(c.scope) << ": got " << queue_found << ", want "
            << c.queue_key_found;
        EXPECT_EQ(isp_found, c.isp_key_found) << "scope " << static_cast<int>(c.scope) << ": got "
                                              << isp_found << ", want " << c.isp_key_found;
    }
}

TEST(AdmissionControl, HoldsWinOverEverything) {
    Destinations d(compile({strategy(5)}));
    auto& a = d.queue("Gmail", "a");
    d.admission.hold("Gmail", true);
    EXPECT_EQ(d.admission.may_connect(a, kStart, kWall, 0, 10).reason, Blocked::held);
    d.admission.hold("Gmail", false);
    d.admission.set_node_held(true);
    EXPECT_EQ(d.admission.may_send(a, kStart, kWall).reason, Blocked::node_held);
    d.admission.set_node_held(false);
    EXPECT_EQ(d.admission.may_send(a, kStart, kWall).reason, Blocked::none);
}

TEST(AdmissionControl, AdaptiveSpeedStepsDownOnDeferralsAndUpAfterSuccesses) {
    auto s = strategy(5, Rate{100, 1min});
    s.adaptive = policy::config::AdaptiveSpeed{Rate{10, 1min}, 0.5, 0.5, 2};
    Destinations d(compile({s}));
    auto& queue = d.queue("Gmail", "a");
    EXPECT_DOUBLE_EQ(queue.message_rate.per_second(), 100.0 / 60);
    d.admission.attempt_done(queue, true);
    EXPECT_NEAR(queue.message_rate.per_second(), 50.0 / 60, 1e-9);
    EXPECT_EQ(queue.counters.throttled, 1u);
    d.admission.attempt_done(queue, false);
    d.admission.attempt_done(queue, false);
    EXPECT_NEAR(queue.message_rate.per_second(), 75.0 / 60, 1e-9);
    for (int i = 0; i < 20; ++i) d.admission.attempt_done(queue, true);
    EXPECT_NEAR(queue.message_rate.per_second(), 10.0 / 60, 1e-9) << "the floor, still a limit";
}

// Every reason admission gives, and which wins when several hold at once: the admin's holds,
// then locks, then the connection caps, then the rates. Each case starts from a fresh queue
// "Gmail/a" (strategy: 2 connections, 1 message/s, the ISP 2 messages/s, a connection every 2 s)
// with a lock rule of each scope available; `set_up` makes the situation.
TEST(AdmissionControl, EveryReasonAndItsPrecedence) {
    policy::config::LockRule queue_lock;
    queue_lock.name = "queue-lock";
    queue_lock.lock_for = 10min;
    queue_lock.scope = policy::config::LockScope::source;
    policy::config::LockRule isp_lock = queue_lock;
    isp_lock.name = "isp-lock";
    isp_lock.scope = policy::config::LockScope::isp;
    auto s = strategy(2, Rate{60, 1min}, Rate{120, 1min});
    s.connect_rate = Rate{30, 1min};

    using SetUp = std::function<void(Destinations&, DestinationQueue&)>;
    const auto node_held = [](Destinations& d, DestinationQueue&) {
        d.admission.set_node_held(true);
    };
    const auto isp_held = [](Destinations& d, DestinationQueue&) {
        d.admission.hold("Gmail", true);
    };
    const auto queue_held = [](Destinations& d, DestinationQueue&) {
        d.admission.hold("Gmail/a", true);
    };
    const auto locked = [&](Destinations& d, DestinationQueue& q) {
        d.admission.lock(q, queue_lock, "421 4.7.0 try later", kWall);
    };
    const auto isp_locked = [&](Destinations& d, DestinationQueue& q) {
        d.admission.lock(q, isp_lock, "554 5.7.1 blocked", kWall);
    };
    const auto at_cap = [](Destinations&, DestinationQueue& q) { q.active = 2; };
    const auto pacing = [](Destinations& d, DestinationQueue& q) {
        q.active = 1;
        d.admission.begin_pacing(q);
    };
    const auto sibling_pacing = [](Destinations& d, DestinationQueue&) {
        auto& b = d.queue("Gmail", "b");
        b.active = 1;
        d.admission.begin_pacing(b);
    };
    const auto message_sent = [](Destinations& d, DestinationQueue& q) {
        (void)d.admission.may_send(q, kStart, kWall);
    };
    const auto sibling_sent = [](Destinations& d, DestinationQueue&) {
        (void)d.admission.may_send(d.queue("Gmail", "b"), kStart, kWall);
    };
    // Its first message's slot (taken with the connection) is free again; the next connection's
    // is not.
    const auto connected_a_second_ago = [](Destinations& d, DestinationQueue& q) {
        (void)d.admission.may_connect(q, kStart - 1s, kWall, 0, 100);
    };
    const auto both = [](SetUp a, SetUp b) {
        return [a, b](Destinations& d, DestinationQueue& q) {
            a(d, q);
            b(d, q);
        };
    };
    struct Case {
        const char* what;
        SetUp set_up;
        unsigned total_active;
        Blocked want;
        std::optional<Instant> want_retry_at;
    };
    const Case cases[] = {
        {"nothing in the way", [](Destinations&, DestinationQueue&) {}, 0, Blocked::none, {}},
        {"node held", node_held, 0, Blocked::node_held, {}},
        {"ISP held", isp_held, 0, Blocked::held, {}},
        {"queue held", queue_held, 0, Blocked::held, {}},
        {"queue locked", locked, 0, Blocked::locked, {}},
        {"ISP locked", isp_locked, 0, Blocked::isp_locked, {}},
        {"queue at its connection cap", at_cap, 0, Blocked::connection_cap, {}},
        {"node at delivery.max_connections", {}, 10, Blocked::total_connections, {}},
        {"a connection waits for the queue's rate", pacing, 1, Blocked::message_rate, {}},
        {"a sibling waits for the ISP's rate", sibling_pacing, 1, Blocked::isp_message_rate, {}},
        {"the queue's next message slot is later", message_sent, 0, Blocked::message_rate,
         kStart + 1s},
        {"the ISP's next message slot is later", sibling_sent, 0, Blocked::isp_message_rate,
         kStart + 500ms},
        {"a connection opened a second ago", connected_a_second_ago, 0, Blocked::connect_rate,
         kStart + 1s},
        // Precedence.
        {"node held beats a queue hold", both(node_held, queue_held), 0, Blocked::node_held, {}},
        {"a hold beats a lock", both(queue_held, locked), 0, Blocked::held, {}},
        {"the queue's lock is named before the ISP's",
         both(isp_locked, locked),
         0,
         Blocked::locked,
         {}},
        {"a lock beats the cap", both(locked, at_cap), 0, Blocked::locked, {}},
        {"the queue's cap beats the node's", at_cap, 10, Blocked::connection_cap, {}},
        {"the node's cap beats the rate", message_sent, 10, Blocked::total_connections, {}},
    };
    for (const auto& c : cases) {
        Destinations d(compile({s}, {queue_lock, isp_lock}));
        auto& queue = d.queue("Gmail", "a");
        if (c.set_up) c.set_up(d, queue);
        const auto got = d.admission.may_connect(queue, kStart, kWall, c.total_active, 10);
        EXPECT_EQ(got.reason, c.want)
            << c.what << ": got " << to_string(got.reason) << ", want " << to_string(c.want);
        EXPECT_EQ(got.retry_at, c.want_retry_at) << c.what;
        EXPECT_EQ(queue.blocked, c.want) << c.what << ": the queue keeps the answer for /queues";
    }
}

// An open connection asks may_send before each message: holds and locks stop it, rates make it
// wait, caps do not apply (it is already open).
TEST(AdmissionControl, MaySendStopsForHoldsAndLocksAndWaitsForRates) {
    policy::config::LockRule lock;
    lock.name = "l";
    lock.lock_for = 10min;
    auto s = strategy(1, Rate{60, 1min}, Rate{120, 1min});
    struct Case {
        const char* what;
        std::function<void(Destinations&, DestinationQueue&)> set_up;
        Blocked want;
        std::optional<Instant> want_retry_at;
    };
    const Case cases[] = {
        {"open at the cap, free to send",
         [](Destinations&, DestinationQueue& q) { q.active = 1; },
         Blocked::none,
         {}},
        {"node held",
         [](Destinations& d, DestinationQueue&) { d.admission.set_node_held(true); },
         Blocked::node_held,
         {}},
        {"queue held",
         [](Destinations& d, DestinationQueue&) { d.admission.hold("Gmail/a", true); },
         Blocked::held,
         {}},
        {"locked since the last message",
         [&](Destinations& d, DestinationQueue& q) { d.admission.lock(q, lock, "421", kWall); },
         Blocked::locked,
         {}},
        {"the queue's rate",
         [](Destinations& d, DestinationQueue& q) { (void)d.admission.may_send(q, kStart, kWall); },
         Blocked::message_rate, kStart + 1s},
        {"the ISP's rate",
         [](Destinations& d, DestinationQueue&) {
             (void)d.admission.may_send(d.queue("Gmail", "b"), kStart, kWall);
         },
         Blocked::isp_message_rate, kStart + 500ms},
    };
    for (const auto& c : cases) {
        Destinations d(compile({s}, {lock}));
        auto& queue = d.queue("Gmail", "a");
        c.set_up(d, queue);
        const auto got = d.admission.may_send(queue, kStart, kWall);
        EXPECT_EQ(got.reason, c.want) << c.what << ": got " << to_string(got.reason);
        EXPECT_EQ(got.retry_at, c.want_retry_at) << c.what;
        EXPECT_EQ(
            d.admission.stopped(queue, kWall) != Blocked::none,
            c.want == Blocked::node_held || c.want == Blocked::held || c.want == Blocked::locked)
            << c.what;
    }
}

TEST(AdmissionControl, EveryReasonHasTheNameTheStatusEndpointShows) {
    const std::pair<Blocked, std::string_view> names[] = {
        {Blocked::none, "none"},
        {Blocked::node_held, "node-held"},
        {Blocked::held, "held"},
        {Blocked::locked, "locked"},
        {Blocked::isp_locked, "isp-locked"},
        {Blocked::connection_cap, "connection-cap"},
        {Blocked::total_connections, "total-connection-cap"},
        {Blocked::message_rate, "rate-limit"},
        {Blocked::isp_message_rate, "isp-rate-limit"},
        {Blocked::connect_rate, "connect-rate"},
    };
    for (const auto& [reason, name] : names) EXPECT_EQ(to_string(reason), name);
}

}  // namespace
}  // namespace sluice::daemon::queue
