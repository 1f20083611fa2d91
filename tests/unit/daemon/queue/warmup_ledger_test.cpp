#include "daemon/queue/warmup_ledger.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sluice::daemon::queue {
namespace {

TEST(WarmupLedger, FormatAndParseRoundTrip) {
    const std::vector<WarmupCount> counts = {{"fresh", "Gmail", 20'794, 200},
                                             {"with \"quotes\" and\ttab", "default", 0, 0}};
    EXPECT_EQ(parse_warmup_counts(format_warmup_counts(counts)), counts);
    EXPECT_EQ(format_warmup_counts({counts[0]}),
              "{\"source\":\"fresh\",\"isp\":\"Gmail\",\"date\":\"2026-12-07\",\"taken\":200}\n");
}

TEST(WarmupLedger, SkipsLinesThatAreNotCounts) {
    const auto counts = parse_warmup_counts(
        "garbage\n{\"source\":\"a\",\"isp\":\"G\",\"date\":\"2026-02-30\",\"taken\":1}\n"
        "{\"source\":\"a\",\"isp\":\"G\",\"date\":\"2026-12-07\",\"taken\":-1}\n"
        "{\"source\":\"a\",\"date\":\"2026-12-07\",\"taken\":1}\n"
        "{\"source\":\"a\",\"isp\":\"G\",\"date\":\"2026-12-07\",\"taken\":5}");
    ASSERT_EQ(counts.size(), 1u);
    EXPECT_EQ(counts[0], (WarmupCount{"a", "G", 20'794, 5}));
}

TEST(WarmupLedger, SaveLoadAndStaleGenerationsAreDropped) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("warmup-ledger-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    WarmupLedger ledger(dir / "warmup");
    std::vector<WarmupCount> loaded{{"x", "y", 1, 1}};
    ASSERT_FALSE(ledger.load(loaded));
    EXPECT_TRUE(loaded.empty()) << "a missing file is no counts";
    const std::vector<WarmupCount> newer = {{"fresh", "Gmail", 20'794, 7}};
    ASSERT_FALSE(ledger.save(newer, 2));
    ASSERT_FALSE(ledger.save({{"fresh", "Gmail", 20'794, 3}}, 1));  // older: dropped
    ASSERT_FALSE(ledger.load(loaded));
    EXPECT_EQ(loaded, newer);
    EXPECT_FALSE(std::filesystem::exists(dir / "warmup.tmp"));
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice::daemon::queue
