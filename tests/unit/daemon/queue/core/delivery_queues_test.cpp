#include "daemon/queue/core/delivery_queues.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace sluice::daemon::queue {

// gtest prints a key by its name.
void PrintTo(const QueueKey& key, std::ostream* os) {
    *os << to_string(key);
}

namespace {

MessagePtr message_to(std::vector<std::string> recipients, std::int64_t next_attempt = 0) {
    spool::Envelope envelope;
    envelope.queue_id = "Q" + std::to_string(recipients.size());
    envelope.sender = "s@origin.test";
    for (auto& r : recipients) envelope.recipients.push_back({r, ""});
    std::vector<spool::RecipientProgress> progress;
    for (std::uint32_t i = 0; i < recipients.size(); ++i) {
        progress.push_back({i, spool::RecipientState::pending, 0, next_attempt});
    }
    return make_queued_message(envelope, progress);
}

const QueueKey kBig{"Big", "s"};

// Every domain is its own queue Q/domain, except *.big.test, which share Big/s.
std::optional<QueueKey> by_domain(const QueuedMessage&, const std::string& domain) {
    if (domain.ends_with(".big.test")) return kBig;
    return QueueKey{"Q", domain};
}
const Router kRouter = by_domain;

std::vector<QueueKey> sorted(std::vector<QueueKey> names) {
    std::sort(names.begin(), names.end());
    return names;
}

TEST(RecipientDomain, LowerCasesTheDomainPart) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"a@Example.TEST", "example.test"}, {"\"a@b\"@c.test", "c.test"}, {"postmaster", ""}};
    for (const auto& [address, want] : cases) {
        EXPECT_EQ(recipient_domain(address), want) << "address " << address;
    }
}

TEST(DeliveryQueues, GroupsRecipientsOfOneMessagePerDomainInTheRoutedQueue) {
    DeliveryQueues queues;
    auto message = message_to({"a@x.test", "b@y.test", "c@X.test"});
    auto touched = queues.add_message(message, 100, kRouter);
    EXPECT_EQ(sorted(touched),
              (std::vector<QueueKey>{QueueKey{"Q", "x.test"}, QueueKey{"Q", "y.test"}}));
    auto batch = queues.take_batch(QueueKey{"Q", "x.test"}, 100);
    ASSERT_TRUE(batch);
    EXPECT_EQ(batch->recipients, (std::vector<std::uint32_t>{0, 2}));
    EXPECT_EQ(batch->queue, (QueueKey{"Q", "x.test"}));
    EXPECT_EQ(batch->domain, "x.test");
    EXPECT_FALSE(queues.take_batch(QueueKey{"Q", "x.test"}, 100));
    EXPECT_EQ(queues.ready_batches(QueueKey{"Q", "y.test"}), 1u);
    EXPECT_EQ(queues.ready_recipients(QueueKey{"Q", "y.test"}), 1u);
}

TEST(DeliveryQueues, DomainsOfOneQueueTakeTurns) {
    DeliveryQueues queues;
    (void)queues.add_message(message_to({"1@a.big.test"}), 0, kRouter);
    (void)queues.add_message(message_to({"2@a.big.test"}), 0, kRouter);
    (void)queues.add_message(message_to({"3@b.big.test"}), 0, kRouter);
    EXPECT_EQ(queues.ready_batches(kBig), 3u);
    EXPECT_EQ(queues.take_batch(kBig, 10)->domain, "a.big.test");
    EXPECT_EQ(queues.take_batch(kBig, 10)->domain, "b.big.test");
    EXPECT_EQ(queues.take_batch(kBig, 10)->domain, "a.big.test");
    EXPECT_FALSE(queues.take_batch(kBig, 10));
    EXPECT_TRUE(queues.ready_queues().empty());
}

TEST(DeliveryQueues, TakesOnlyTheAskedDomainForAnOpenConnection) {
    DeliveryQueues queues;
    (void)queues.add_message(message_to({"1@a.big.test"}), 0, kRouter);
    (void)queues.add_message(message_to({"2@b.big.test"}), 0, kRouter);
    const std::string b = "b.big.test";
    const std::string c = "c.big.test";
    EXPECT_EQ(queues.take_batch(kBig, 10, &b)->domain, b);
    EXPECT_FALSE(queues.take_batch(kBig, 10, &b));
    EXPECT_FALSE(queues.take_batch(kBig, 10, &c));
    EXPECT_EQ(queues.ready_batches(kBig), 1u);
}

TEST(DeliveryQueues, SplitsBatchesAtTheRecipientLimit) {
    DeliveryQueues queues;
    (void)queues.add_message(message_to({"1@x.test", "2@x.test", "3@x.test"}), 0, kRouter);
    auto first = queues.take_batch(QueueKey{"Q", "x.test"}, 2);
    auto second = queues.take_batch(QueueKey{"Q", "x.test"}, 2);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->recipients, (std::vector<std::uint32_t>{0, 1}));
    EXPECT_EQ(second->recipients, (std::vector<std::uint32_t>{2}));
}

TEST(DeliveryQueues, DeferredRecipientsWaitUntilDue) {
    DeliveryQueues queues;
    auto message = message_to({"a@x.test"}, 500);
    EXPECT_TRUE(queues.add_message(message, 100, kRouter).empty());
    EXPECT_EQ(queues.next_due(), 500);
    EXPECT_TRUE(queues.release_due(499, kRouter).empty());
    EXPECT_EQ(queues.release_due(500, kRouter), (std::vector<QueueKey>{QueueKey{"Q", "x.test"}}));
    EXPECT_FALSE(queues.next_due());
    auto batch = queues.take_batch(QueueKey{"Q", "x.test"}, 10);
    ASSERT_TRUE(batch);
    queues.defer(message, 0, 900);
    EXPECT_EQ(queues.next_due(), 900);
}

TEST(DeliveryQueues, FinishedRecipientsAreNotReleased) {
    DeliveryQueues queues;
    auto message = message_to({"a@x.test"}, 500);
    (void)queues.add_message(message, 100, kRouter);
    message->recipients[0].state = spool::RecipientState::delivered;
    EXPECT_TRUE(queues.release_due(1000, kRouter).empty());
}

TEST(DeliveryQueues, ReturnedBatchGoesFirst) {
    DeliveryQueues queues;
    (void)queues.add_message(message_to({"a@x.test"}), 0, kRouter);
    (void)queues.add_message(message_to({"b@x.test", "c@x.test"}), 0, kRouter);
    auto first = queues.take_batch(QueueKey{"Q", "x.test"}, 10);
    ASSERT_TRUE(first);
    const auto id = std::string(first->message->address(first->recipients[0]));
    queues.return_batch(std::move(*first));
    auto again = queues.take_batch(QueueKey{"Q", "x.test"}, 10);
    ASSERT_TRUE(again);
    EXPECT_EQ(std::string(again->message->address(again->recipients[0])), id);
}

TEST(DeliveryQueues, UnroutableDomainsWaitUntilRouted) {
    DeliveryQueues queues;
    bool known = false;
    const Router router = [&](const QueuedMessage&, const std::string&) {
        return known ? std::optional<QueueKey>(QueueKey{"Gmail", "a"}) : std::nullopt;
    };
    auto message = message_to({"a@rolled.test", "b@rolled.test"});
    EXPECT_TRUE(queues.add_message(message, 0, router).empty());
    EXPECT_EQ(queues.unrouted_domains(), (std::vector<std::string>{"rolled.test"}));
    known = true;
    EXPECT_EQ(queues.route_domain("rolled.test", router),
              (std::vector<QueueKey>{QueueKey{"Gmail", "a"}}));
    EXPECT_TRUE(queues.unrouted_domains().empty());
    auto batch = queues.take_batch(QueueKey{"Gmail", "a"}, 10);
    ASSERT_TRUE(batch);
    EXPECT_EQ(batch->recipients, (std::vector<std::uint32_t>{0, 1}));
}

TEST(DeliveryQueues, DrainReadyTakesReadyAndUnroutedButNotWaitingWork) {
    DeliveryQueues queues;
    (void)queues.add_message(message_to({"a@x.test", "b@y.test"}), 0, kRouter);
    (void)queues.add_message(message_to({"c@x.test"}, 900), 0, kRouter);
    const Router never = [](const QueuedMessage&, const std::string&) {
        return std::optional<QueueKey>();
    };
    (void)queues.add_message(message_to({"d@z.test"}), 0, never);
    auto drained = queues.drain_ready();
    std::set<std::string> addresses;
    for (const auto& [message, index] : drained) {
        addresses.insert(std::string(message->address(index)));
    }
    EXPECT_EQ(addresses, (std::set<std::string>{"a@x.test", "b@y.test", "d@z.test"}));
    EXPECT_TRUE(queues.ready_queues().empty());
    EXPECT_TRUE(queues.unrouted_domains().empty());
    EXPECT_EQ(queues.waiting_recipients(), 1u);
}

TEST(DeliveryQueues, RemoveQueueTakesOnlyThatQueue) {
    DeliveryQueues queues;
    (void)queues.add_message(message_to({"a@x.test", "b@y.test", "c@q.big.test"}), 0, kRouter);
    auto removed = queues.remove_queue(kBig);
    ASSERT_EQ(removed.size(), 1u);
    EXPECT_EQ(removed[0].domain, "q.big.test");
    EXPECT_EQ(sorted(queues.ready_queues()),
              (std::vector<QueueKey>{QueueKey{"Q", "x.test"}, QueueKey{"Q", "y.test"}}));
}

TEST(DeliveryQueues, AReturnedSplitBatchIsOneBatchAgain) {
    DeliveryQueues queues;
    (void)queues.add_message(message_to({"1@x.test", "2@x.test", "3@x.test"}), 0, kRouter);
    EXPECT_EQ(queues.ready_batches(QueueKey{"Q", "x.test"}), 1u);
    auto first = queues.take_batch(QueueKey{"Q", "x.test"}, 2);
    ASSERT_TRUE(first);
    EXPECT_EQ(queues.ready_batches(QueueKey{"Q", "x.test"}), 1u) << "the rest of the message";
    queues.return_batch(std::move(*first));
    EXPECT_EQ(queues.ready_batches(QueueKey{"Q", "x.test"}), 1u);
    EXPECT_EQ(queues.ready_recipients(QueueKey{"Q", "x.test"}), 3u);
    auto all = queues.take_batch(QueueKey{"Q", "x.test"}, 10);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->recipients, (std::vector<std::uint32_t>{0, 1, 2}));
    EXPECT_TRUE(queues.ready_queues().empty());
}

TEST(QueuedMessage, KeepsEveryStringInOneBuffer) {
    spool::Envelope envelope;
    envelope.queue_id = "0123456789ABCDEF";
    envelope.sender = "news@origin.test";
    envelope.listener = "submission";
    envelope.recipients = {{"a@x.test", "ORCPT=rfc822;a@x.test"}, {"b@y.test", ""}};
    auto message =
        make_queued_message(envelope, {{0, spool::RecipientState::delivered, 2, 0}}, "bulk");
    EXPECT_EQ(message->queue_id(), "0123456789ABCDEF");
    EXPECT_EQ(message->sender(), "news@origin.test");
    EXPECT_EQ(message->listener(), "submission");
    EXPECT_EQ(message->header_pool(), "bulk");
    EXPECT_EQ(message->address(0), "a@x.test");
    EXPECT_EQ(message->params(0), "ORCPT=rfc822;a@x.test");
    EXPECT_EQ(message->address(1), "b@y.test");
    EXPECT_EQ(message->params(1), "");
    EXPECT_EQ(message->recipients[0].attempts, 2);
    EXPECT_EQ(message->pending(), 1u);
    EXPECT_LE(sizeof(QueuedRecipient), 24u);
}

TEST(QueuedMessage, SetStateKeepsThePendingCount) {
    auto message = message_to({"a@x.test", "b@x.test", "c@x.test"});
    ASSERT_EQ(message->pending(), 3u);
    message->set_state(0, spool::RecipientState::delivered);
    message->set_state(1, spool::RecipientState::bounced);
    EXPECT_EQ(message->pending(), 1u);
    message->set_state(1, spool::RecipientState::bounced);  // already final: no change
    EXPECT_EQ(message->pending(), 1u);
    message->set_state(1, spool::RecipientState::pending);  // a DSN could not be spooled
    EXPECT_EQ(message->pending(), 2u);
    message->set_state(1, spool::RecipientState::cleared);
    message->set_state(2, spool::RecipientState::bounced);  // an expiry is a bounce
    EXPECT_EQ(message->pending(), 0u);
    EXPECT_TRUE(message->finished());
}

}  // namespace
}  // namespace sluice::daemon::queue

namespace sluice::daemon::queue {
namespace {

MessagePtr waiting_message(std::string id, std::vector<std::string> recipients) {
    spool::Envelope envelope;
    envelope.queue_id = std::move(id);
    envelope.sender = "s@origin.test";
    for (auto& r : recipients) envelope.recipients.push_back({r, ""});
    return make_queued_message(envelope, {});
}

TEST(DeliveryQueuesWaiting, CountsPerQueueAndEarliestDue) {
    DeliveryQueues queues;
    auto a = waiting_message("A", {"x@a.test", "y@a.test"});
    auto b = waiting_message("B", {"z@b.test"});
    queues.defer(a, 0, 500, QueueKey{"Q", "a.test"});
    queues.defer(a, 1, 300, QueueKey{"Q", "a.test"});
    queues.defer(b, 0, 100, QueueKey{"Q", "b.test"});
    EXPECT_EQ(queues.waiting_in(QueueKey{"Q", "a.test"}), 2u);
    EXPECT_EQ(queues.waiting_in(QueueKey{"Q", "b.test"}), 1u);
    EXPECT_EQ(queues.waiting_in(QueueKey{"Q", "none"}), 0u);
    const auto times = queues.times_by_queue(100);
    ASSERT_EQ(times.size(), 2u);
    EXPECT_EQ(times.at(QueueKey{"Q", "a.test"}).next_due_unix, 300);
    EXPECT_EQ(times.at(QueueKey{"Q", "b.test"}).next_due_unix, 100);
    EXPECT_TRUE(queues.times_by_queue(2).empty()) << "over the scan cap";
    // Released in due order; counts follow.
    auto touched = queues.release_due(300, kRouter);
    EXPECT_EQ(queues.waiting_in(QueueKey{"Q", "a.test"}), 1u);
    EXPECT_EQ(queues.waiting_in(QueueKey{"Q", "b.test"}), 0u);
    EXPECT_EQ(queues.next_due(), std::optional<std::int64_t>(500));
    EXPECT_EQ(sorted(touched), sorted({QueueKey{"Q", "a.test"}, QueueKey{"Q", "b.test"}}));
}

TEST(DeliveryQueuesWaiting, TimesNameTheOldestArrivalOfReadyAndWaitingMail) {
    DeliveryQueues queues;
    auto old = waiting_message("A", {"x@a.test"});
    old->arrival_unix_us = 1000 * 1000000LL;
    auto young = waiting_message("B", {"y@a.test", "z@b.test"});
    young->arrival_unix_us = 2000 * 1000000LL;
    queues.defer(old, 0, 5000, QueueKey{"Q", "a.test"});
    (void)queues.add_message(young, 3000, kRouter);  // ready: Q/a.test and Q/b.test
    const auto times = queues.times_by_queue(100);
    EXPECT_EQ(times.at(QueueKey{"Q", "a.test"}).oldest_arrival_unix, 1000);
    EXPECT_EQ(times.at(QueueKey{"Q", "a.test"}).next_due_unix, 5000);
    EXPECT_EQ(times.at(QueueKey{"Q", "b.test"}).oldest_arrival_unix, 2000);
    EXPECT_EQ(times.at(QueueKey{"Q", "b.test"}).next_due_unix, std::nullopt);
}

TEST(DeliveryQueuesWaiting, AQueueNoRecipientWaitsForGivesUpItsTag) {
    // The long tail names queues without end: the per-queue waiting counts must not keep them.
    DeliveryQueues queues;
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 50; ++i) {
            auto message = waiting_message("M", {"x@a.test"});
            queues.defer(message, 0, 10, QueueKey{"Q", "s" + std::to_string(round * 50 + i)});
        }
        EXPECT_EQ(queues.waiting_in(QueueKey{"Q", "s" + std::to_string(round * 50)}), 1u);
        (void)queues.release_due(10, kRouter);
        EXPECT_EQ(queues.waiting_in(QueueKey{"Q", "s" + std::to_string(round * 50)}), 0u);
    }
    EXPECT_LE(queues.tag_slots(), 51u) << "tags are reused, not grown per queue ever seen";
}

TEST(DeliveryQueuesWaiting, RemoveWaitingTakesOnlyTheMatchesAndKeepsHeapOrder) {
    DeliveryQueues queues;
    auto a = waiting_message("A", {"x@a.test", "y@b.test", "z@c.test"});
    queues.defer(a, 0, 300, QueueKey{"Q", "a.test"});
    queues.defer(a, 1, 100, QueueKey{"Q", "b.test"});
    queues.defer(a, 2, 200, QueueKey{});  // recovered: no queue known yet
    std::vector<QueueKey> offered;
    auto removed = queues.remove_waiting([&](const DeliveryQueues::WaitingRecipient& w) {
        offered.push_back(w.queue);
        return w.queue == QueueKey{"Q", "b.test"} || w.queue.empty();
    });
    ASSERT_EQ(removed.size(), 2u);
    EXPECT_EQ(offered.size(), 3u);
    EXPECT_EQ(queues.waiting_recipients(), 1u);
    EXPECT_EQ(queues.waiting_in(QueueKey{"Q", "b.test"}), 0u);
    EXPECT_EQ(queues.next_due(), std::optional<std::int64_t>(300));
}

}  // namespace
}  // namespace sluice::daemon::queue

namespace sluice::daemon::queue {
namespace {

// Issue 13 item 1: the expiry sweep takes recipients out of wherever they wait.
TEST(DeliveryQueues, RemoveIfTakesRecipientsFromReadyWaitingAndUnrouted) {
    DeliveryQueues queues;
    auto ready = message_to({"a@x.test", "b@x.test", "c@x.test"});
    auto waiting = message_to({"d@x.test", "e@y.test"}, 500);
    auto unrouted = message_to({"f@later.test"});
    const Router router = [](const QueuedMessage& m, const std::string& domain) {
        return domain == "later.test" ? std::optional<QueueKey>() : by_domain(m, domain);
    };
    (void)queues.add_message(ready, 100, router);
    (void)queues.add_message(waiting, 100, router);
    (void)queues.add_message(unrouted, 100, router);
    std::vector<QueueKey> where;
    const auto drop = [&](const MessagePtr& m, std::uint32_t i, const QueueKey& queue) {
        const bool gone = (m == ready && i == 1) || m == waiting || m == unrouted;
        if (gone) where.push_back(queue);
        return gone;
    };
    EXPECT_EQ(queues.remove_if(drop), 4u);
    EXPECT_EQ(sorted(where), (std::vector<QueueKey>{{}, {}, {}, QueueKey{"Q", "x.test"}}));
    EXPECT_EQ(queues.ready_recipients(QueueKey{"Q", "x.test"}), 2u);
    EXPECT_EQ(queues.ready_batches(QueueKey{"Q", "x.test"}), 1u);
    EXPECT_EQ(queues.waiting_recipients(), 0u);
    EXPECT_TRUE(queues.unrouted_domains().empty());
    auto batch = queues.take_batch(QueueKey{"Q", "x.test"}, 100);
    ASSERT_TRUE(batch);
    EXPECT_EQ(batch->recipients, (std::vector<std::uint32_t>{0, 2}));
    EXPECT_FALSE(queues.take_batch(QueueKey{"Q", "x.test"}, 100));
    EXPECT_EQ(queues.release_due(1000, router), std::vector<QueueKey>{});
}

TEST(DeliveryQueues, RecipientsTakenAreInFlightUntilGivenBackOrDeferred) {
    DeliveryQueues queues;
    auto message = message_to({"a@x.test", "b@x.test"});
    (void)queues.add_message(message, 100, kRouter);
    auto batch = queues.take_batch(QueueKey{"Q", "x.test"}, 1);
    ASSERT_TRUE(batch);
    EXPECT_TRUE(message->recipients[0].in_flight);
    EXPECT_FALSE(message->recipients[1].in_flight);
    queues.return_batch(*batch);
    EXPECT_FALSE(message->recipients[0].in_flight);
    batch = queues.take_batch(QueueKey{"Q", "x.test"}, 2);
    ASSERT_TRUE(batch);
    EXPECT_TRUE(message->recipients[1].in_flight);
    queues.defer(message, 1, 200, QueueKey{"Q", "x.test"});
    EXPECT_FALSE(message->recipients[1].in_flight);
    EXPECT_TRUE(message->recipients[0].in_flight);
}

}  // namespace
}  // namespace sluice::daemon::queue
