#include "policy/config/strategy_shaping.hpp"

#include <gtest/gtest.h>

namespace sluice::policy::config {
namespace {

using namespace std::chrono_literals;

Strategy named_strategy(std::string name, std::uint32_t connections, Rate rate) {
    Strategy s;
    s.name = std::move(name);
    s.max_connections = connections;
    s.message_rate = rate;
    return s;
}

const Strategy kIsp = [] {
    auto s = named_strategy("isp", 10, Rate{1000, 1h});
    s.isp_message_rate = Rate{5000, 1h};
    return s;
}();
const Strategy kSlow = [] {
    auto s = named_strategy("slow", 2, Rate{100, 1h});
    s.isp_message_rate = Rate{1, 1h};  // never taken over: ISP-wide
    return s;
}();

const Strategy* lookup(std::string_view name) {
    return name == "slow" ? &kSlow : nullptr;
}

Shaping rate_for(std::string isp, Rate rate) {
    Shaping entry;
    entry.isp = std::move(isp);
    entry.message_rate = rate;
    return entry;
}

TEST(StrategyShaping, SourceBeatsPoolBeatsIspAndTheIspsOwnEntryBeatsAllIsps) {
    struct Case {
        const char* what;
        std::vector<Shaping> pool;
        std::vector<Shaping> source;
        std::uint32_t connections;
        std::uint64_t per_hour;
        std::vector<std::string> layers;
    };
    Shaping slow_for_gmail;
    slow_for_gmail.isp = "Gmail";
    slow_for_gmail.strategy = "slow";
    Shaping three_connections;
    three_connections.max_connections = 3;
    const Case cases[] = {
        {"nothing: the ISP's", {}, {}, 10, 1000, {}},
        {"pool, all ISPs", {rate_for("", Rate{500, 1h})}, {}, 10, 500, {"pool bulk: message_rate"}},
        {"pool entry for another ISP", {rate_for("Yahoo", Rate{500, 1h})}, {}, 10, 1000, {}},
        {"the pool's Gmail entry beats its all-ISP entry, whatever the order",
         {rate_for("Gmail", Rate{300, 1h}), rate_for("", Rate{500, 1h})},
         {},
         10,
         300,
         {"pool bulk: message_rate", "pool bulk for Gmail: message_rate"}},
        {"the source beats the pool",
         {rate_for("Gmail", Rate{300, 1h})},
         {rate_for("", Rate{200, 1h})},
         10,
         200,
         {"pool bulk for Gmail: message_rate", "source new1: message_rate"}},
        {"a named strategy replaces what is below, its keys then apply",
         {three_connections},
         {slow_for_gmail},
         2,
         100,
         {"pool bulk: max_connections", "source new1 for Gmail: strategy slow"}},
    };
    for (const auto& c : cases) {
        Pool pool;
        pool.name = "bulk";
        pool.shaping = c.pool;
        Source source;
        source.name = "new1";
        source.shaping = c.source;
        const auto shaped = shape_strategy(kIsp, "Gmail", pool, source, lookup);
        EXPECT_EQ(shaped.strategy.max_connections, c.connections) << c.what;
        ASSERT_TRUE(shaped.strategy.message_rate) << c.what;
        EXPECT_EQ(shaped.strategy.message_rate->count, c.per_hour) << c.what;
        EXPECT_EQ(shaped.layers, c.layers) << c.what;
        EXPECT_EQ(shaped.strategy.isp_message_rate, kIsp.isp_message_rate)
            << c.what << ": isp_message_rate is the ISP's";
        EXPECT_EQ(shapes(pool, source, "Gmail"), !c.layers.empty()) << c.what;
    }
}

}  // namespace
}  // namespace sluice::policy::config
