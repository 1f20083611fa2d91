// SourceRotation: round robin in order; smooth weighted shares, interleaved; a changed pool
// starts over.
#include "policy/pool/source_rotation.hpp"

#include <gtest/gtest.h>

#include <map>

namespace sluice::policy::pool {
namespace {

config::Pool pool_of(config::SourceSelection selection,
                     std::vector<std::pair<std::string, std::uint32_t>> sources) {
    config::Pool pool;
    pool.name = "bulk";
    pool.selection = selection;
    for (auto& [name, weight] : sources) {
        pool.sources.push_back({name, "127.0.0.1", "h", weight});
    }
    return pool;
}

std::string picks(SourceRotation& rotation, const config::Pool& pool, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
        out += rotation.next(pool).name;
    }
    return out;
}

TEST(SourceRotation, RoundRobin) {
    SourceRotation rotation;
    const auto pool = pool_of(config::SourceSelection::round_robin, {{"a", 5}, {"b", 1}, {"c", 1}});
    EXPECT_EQ(picks(rotation, pool, 7), "abcabca") << "weights are ignored";
}

TEST(SourceRotation, SmoothWeighted) {
    SourceRotation rotation;
    const auto pool = pool_of(config::SourceSelection::weighted, {{"a", 5}, {"b", 1}, {"c", 1}});
    EXPECT_EQ(picks(rotation, pool, 7), "aabacaa");
}

TEST(SourceRotation, WeightedSharesOverManyPicks) {
    SourceRotation rotation;
    const auto pool = pool_of(config::SourceSelection::weighted, {{"a", 3}, {"b", 2}, {"c", 5}});
    std::map<std::string, int> counts;
    for (int i = 0; i < 10000; ++i) {
        ++counts[rotation.next(pool).name];
    }
    EXPECT_EQ(counts["a"], 3000);
    EXPECT_EQ(counts["b"], 2000);
    EXPECT_EQ(counts["c"], 5000);
}

TEST(SourceRotation, PoolsKeepTheirOwnStateAndRestartWhenChanged) {
    SourceRotation rotation;
    auto bulk = pool_of(config::SourceSelection::round_robin, {{"a", 1}, {"b", 1}});
    auto other = bulk;
    other.name = "other";
    EXPECT_EQ(picks(rotation, bulk, 1), "a");
    EXPECT_EQ(picks(rotation, other, 1), "a");
    EXPECT_EQ(picks(rotation, bulk, 1), "b");
    bulk.sources.push_back({"c", "127.0.0.3", "h", 1});  // a reload changed the pool
    EXPECT_EQ(picks(rotation, bulk, 4), "abca");
}

}  // namespace
}  // namespace sluice::policy::pool
