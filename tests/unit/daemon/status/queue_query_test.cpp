#include "daemon/status/queue_query.hpp"

#include <gtest/gtest.h>

namespace sluice::daemon::status {
namespace {

TEST(ParseQueueQuery, ReadsFiltersSortAndPage) {
    auto got = parse_queue_query("domain=Example.COM&sort=oldest&offset=20&limit=10");
    ASSERT_TRUE(std::holds_alternative<QueueQuery>(got)) << std::get<std::string>(got);
    const auto& q = std::get<QueueQuery>(got);
    EXPECT_EQ(q.domain, "Example.COM");
    EXPECT_EQ(q.sort, QueueSort::oldest);
    EXPECT_EQ(q.offset, 20u);
    EXPECT_EQ(q.limit, 10u);
    const auto defaults = std::get<QueueQuery>(parse_queue_query(""));
    EXPECT_EQ(defaults.sort, QueueSort::name);
    EXPECT_EQ(defaults.offset, 0u);
    EXPECT_EQ(defaults.limit, kDefaultQueueLimit);
    EXPECT_EQ(std::get<QueueQuery>(parse_queue_query("destination=default%3Amx.test")).destination,
              "default:mx.test");
}

TEST(ParseQueueQuery, NamesWhatIsWrong) {
    const std::pair<std::string, std::string> cases[] = {
        {"sort=size", "sort must be name, waiting or oldest"},
        {"limit=0", "limit must be between 1 and 10000"},
        {"limit=10001", "limit must be between 1 and 10000"},
        {"offset=-1", "offset must be a whole number"},
        {"offset=1x", "offset must be a whole number"},
        {"colour=red", "unknown parameter \"colour\""},
        {"domain=%zz", "malformed query string"},
    };
    for (const auto& [query, message] : cases) {
        auto got = parse_queue_query(query);
        ASSERT_TRUE(std::holds_alternative<std::string>(got)) << query;
        EXPECT_EQ(std::get<std::string>(got), message) << query;
    }
}

QueueView queue(std::string name, std::uint64_t ready, std::uint64_t deferred,
                std::optional<std::int64_t> oldest) {
    QueueView q;
    q.name = std::move(name);
    q.queued = ready;
    q.deferred = deferred;
    q.oldest_arrival_unix = oldest;
    return q;
}

std::vector<std::string> names(const QueuePage& page) {
    std::vector<std::string> out;
    for (const auto& q : page.queues) out.push_back(q.name);
    return out;
}

TEST(PageOfQueues, SortsThenCutsThePage) {
    const std::vector<QueueView> all = {queue("c", 1, 1, 300), queue("a", 0, 0, std::nullopt),
                                        queue("b", 5, 0, 100), queue("d", 2, 0, 100)};
    QueueQuery query;
    EXPECT_EQ(names(page_of(all, query)), (std::vector<std::string>{"a", "b", "c", "d"}));
    query.sort = QueueSort::waiting;
    EXPECT_EQ(names(page_of(all, query)), (std::vector<std::string>{"b", "c", "d", "a"}))
        << "ready + deferred, most first; ties by name";
    query.sort = QueueSort::oldest;
    EXPECT_EQ(names(page_of(all, query)), (std::vector<std::string>{"b", "d", "c", "a"}))
        << "oldest mail first; queues without mail last";
    query.offset = 1;
    query.limit = 2;
    const auto page = page_of(all, query);
    EXPECT_EQ(names(page), (std::vector<std::string>{"d", "c"}));
    EXPECT_EQ(page.total, 4u);
    query.offset = 9;
    EXPECT_TRUE(page_of(all, query).queues.empty());
}

}  // namespace
}  // namespace sluice::daemon::status
