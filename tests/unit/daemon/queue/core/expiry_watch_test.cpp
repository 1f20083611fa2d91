#include "daemon/queue/core/expiry_watch.hpp"

#include <gtest/gtest.h>

namespace sluice::daemon::queue {
namespace {

MessagePtr message_named(const std::string& id) {
    spool::Envelope envelope;
    envelope.queue_id = id;
    envelope.sender = "s@origin.test";
    envelope.recipients.push_back({"r@x.test", ""});
    return make_queued_message(envelope, {});
}

std::vector<std::string> ids(const std::vector<MessagePtr>& messages) {
    std::vector<std::string> out;
    for (const auto& m : messages) out.emplace_back(m->queue_id());
    return out;
}

TEST(ExpiryWatch, HandsOutMessagesWhenDueEarliestFirst) {
    ExpiryWatch watch;
    const auto a = message_named("A"), b = message_named("B"), c = message_named("C");
    watch.watch(c, 300);
    watch.watch(a, 100);
    watch.watch(b, 200);
    EXPECT_EQ(watch.next_due(), 100);
    EXPECT_TRUE(watch.take_due(99).empty());
    EXPECT_EQ(ids(watch.take_due(200)), (std::vector<std::string>{"A", "B"}));
    EXPECT_EQ(watch.size(), 1u);
    EXPECT_EQ(watch.next_due(), 300);
    EXPECT_EQ(ids(watch.take_due(1000)), (std::vector<std::string>{"C"}));
    EXPECT_FALSE(watch.next_due());
}

TEST(ExpiryWatch, BringForwardOnlyMovesEntriesEarlier) {
    ExpiryWatch watch;
    const auto a = message_named("A"), b = message_named("B");
    watch.watch(a, 100);
    watch.watch(b, 500);
    watch.bring_forward([](const QueuedMessage&) { return 200; });
    EXPECT_EQ(ids(watch.take_due(150)), (std::vector<std::string>{"A"}));
    EXPECT_EQ(watch.next_due(), 200);
    std::size_t seen = 0;
    watch.for_each([&](const QueuedMessage&, std::int64_t due) {
        EXPECT_EQ(due, 200);
        ++seen;
    });
    EXPECT_EQ(seen, 1u);
}

// A message that finished (its last owner let go) is not kept alive by the watch.
TEST(ExpiryWatch, FinishedMessagesAreDropped) {
    ExpiryWatch watch;
    auto kept = message_named("KEPT");
    auto finished = message_named("DONE");
    const std::weak_ptr<QueuedMessage> observer = finished;
    watch.watch(finished, 100);
    watch.watch(kept, 100);
    finished.reset();
    EXPECT_TRUE(observer.expired());
    EXPECT_EQ(ids(watch.take_due(100)), (std::vector<std::string>{"KEPT"}));
}

}  // namespace
}  // namespace sluice::daemon::queue
