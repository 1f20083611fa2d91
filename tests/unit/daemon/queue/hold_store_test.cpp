#include "daemon/queue/hold_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace sluice::daemon::queue {
namespace {

TEST(HoldStore, FormatAndParseRoundTrip) {
    const std::vector<HoldSet> cases = {
        {}, {true, {}}, {false, {"Gmail"}}, {true, {"Gmail", "Yahoo/192.0.2.10", "With Space"}}};
    for (const auto& holds : cases) {
        EXPECT_EQ(parse_holds(format_holds(holds)), holds) << "got back from\n"
                                                           << format_holds(holds);
    }
}

TEST(HoldStore, ParseIgnoresUnknownLines) {
    const auto holds = parse_holds("# comment\nnode\nfuture thing\nhold Gmail\nhold \n");
    EXPECT_TRUE(holds.node);
    EXPECT_EQ(holds.keys, std::set<std::string>{"Gmail"});
}

TEST(HoldStore, SaveLoadAndStaleGenerationsAreDropped) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("hold-store-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    HoldFile file(dir / "holds");
    HoldSet loaded{true, {"x"}};
    ASSERT_FALSE(file.load(loaded));
    EXPECT_EQ(loaded, HoldSet{}) << "a missing file is no holds";
    ASSERT_FALSE(file.save({false, {"Gmail"}}, 2));
    ASSERT_FALSE(file.save({true, {}}, 1));  // older than what is on disk: ignored
    ASSERT_FALSE(file.load(loaded));
    EXPECT_EQ(loaded, (HoldSet{false, {"Gmail"}}));
    EXPECT_FALSE(std::filesystem::exists(dir / "holds.tmp"));
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice::daemon::queue
