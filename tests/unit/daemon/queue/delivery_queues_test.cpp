#include "daemon/queue/delivery_queues.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace sluice::daemon::queue {
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

TEST(RecipientDomain, LowerCasesTheDomainPart) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"a@Example.TEST", "example.test"}, {"\"a@b\"@c.test", "c.test"}, {"postmaster", ""}};
    for (const auto& [address, want] : cases) {
        EXPECT_EQ(recipient_domain(address), want) << "address " << address;
    }
}

TEST(DeliveryQueues, GroupsRecipientsOfOneMessagePerDomain) {
    DeliveryQueues queues;
    auto message = message_to({"a@x.test", "b@y.test", "c@X.test"});
    auto touched = queues.add_message(message, 100);
    std::sort(touched.begin(), touched.end());
    EXPECT_EQ(touched, (std::vector<std::string>{"x.test", "y.test"}));
    auto batch = queues.take_batch("x.test", 100);
    ASSERT_TRUE(batch);
    EXPECT_EQ(batch->recipients, (std::vector<std::uint32_t>{0, 2}));
    EXPECT_FALSE(queues.take_batch("x.test", 100));
    EXPECT_EQ(queues.ready_batches("y.test"), 1u);
}

TEST(DeliveryQueues, SplitsBatchesAtTheRecipientLimit) {
    DeliveryQueues queues;
    (void)queues.add_message(message_to({"1@x.test", "2@x.test", "3@x.test"}), 0);
    auto first = queues.take_batch("x.test", 2);
    auto second = queues.take_batch("x.test", 2);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->recipients, (std::vector<std::uint32_t>{0, 1}));
    EXPECT_EQ(second->recipients, (std::vector<std::uint32_t>{2}));
}

TEST(DeliveryQueues, DeferredRecipientsWaitUntilDue) {
    DeliveryQueues queues;
    auto message = message_to({"a@x.test"}, 500);
    EXPECT_TRUE(queues.add_message(message, 100).empty());
    EXPECT_EQ(queues.next_due(), 500);
    EXPECT_TRUE(queues.release_due(499).empty());
    EXPECT_EQ(queues.release_due(500), (std::vector<std::string>{"x.test"}));
    EXPECT_FALSE(queues.next_due());
    auto batch = queues.take_batch("x.test", 10);
    ASSERT_TRUE(batch);
    queues.defer(message, 0, 900);
    EXPECT_EQ(queues.next_due(), 900);
}

TEST(DeliveryQueues, FinishedRecipientsAreNotReleased) {
    DeliveryQueues queues;
    auto message = message_to({"a@x.test"}, 500);
    (void)queues.add_message(message, 100);
    message->recipients[0].state = spool::RecipientState::delivered;
    EXPECT_TRUE(queues.release_due(1000).empty());
}

TEST(DeliveryQueues, ReturnedBatchGoesFirst) {
    DeliveryQueues queues;
    (void)queues.add_message(message_to({"a@x.test"}), 0);
    (void)queues.add_message(message_to({"b@x.test", "c@x.test"}), 0);
    auto first = queues.take_batch("x.test", 10);
    ASSERT_TRUE(first);
    const auto id = first->message->recipients[first->recipients[0]].address;
    queues.return_batch(std::move(*first));
    auto again = queues.take_batch("x.test", 10);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->message->recipients[again->recipients[0]].address, id);
}

}  // namespace
}  // namespace sluice::daemon::queue
