// Tests for AccountingLog against real files: lines appended and parseable, the file mode, a
// missing directory at start-up, reopen after a rename (logrotate), and a full disk (/dev/full)
// whose failures are counted and logged, not silent.
#include "daemon/acclog/accounting_log.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "tests/unit/daemon/spool/temp_dir.hpp"

namespace sluice::daemon::acclog {
namespace {

using policy::config::AccountingFormat;
using policy::config::AccountingSettings;
using policy::config::AccountingSync;
using spool::testing::TempDir;

AccountingRecord record_for(std::string recipient) {
    AccountingRecord r;
    r.time_unix_us = 1'700'000'000'000'000;
    r.type = "final";
    r.queue_id = "0123456789ABCDEF";
    r.recipient = std::move(recipient);
    r.outcome = Outcome::delivered;
    return r;
}

std::vector<std::string> lines_of(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

class AccountingLogTest : public ::testing::Test {
  protected:
    log::Logger logger_{log::Logger::Destination::terminal};
    TempDir dir_;
};

TEST_F(AccountingLogTest, AppendsOneParseableLinePerRecord) {
    const auto path = dir_.path() / "accounting.jsonl";
    std::ofstream(path) << "{\"earlier\":true}\n";  // appended to, never truncated
    {
        AccountingLog acclog({path.string(), false, AccountingFormat::json}, logger_);
        for (const char* recipient : {"a@x", "b@x", "c@x"}) {
            acclog.write(record_for(recipient));
        }
        EXPECT_EQ(acclog.write_failures(), 0u);
    }
    const auto lines = lines_of(path);
    ASSERT_EQ(lines.size(), 4u);
    const char* want[] = {"a@x", "b@x", "c@x"};
    for (std::size_t i = 1; i < lines.size(); ++i) {
        boost::system::error_code ec;
        auto value = boost::json::parse(lines[i], ec);
        ASSERT_FALSE(ec) << lines[i];
        EXPECT_EQ(value.as_object().at("recipient").as_string(), want[i - 1]);
    }
}

TEST_F(AccountingLogTest, WritesKvLines) {
    const auto path = dir_.path() / "accounting.log";
    AccountingLog acclog({path.string(), false, AccountingFormat::kv}, logger_);
    acclog.write(record_for("a@x"));
    const auto lines = lines_of(path);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(lines[0].starts_with("time=2023-11-14T22:13:20.000000Z ")) << lines[0];
    EXPECT_NE(lines[0].find(" recipient=a@x "), std::string::npos) << lines[0];
}

TEST_F(AccountingLogTest, WritesAkmtaLines) {
    const auto path = dir_.path() / "accounting.log";
    AccountingLog acclog({path.string(), false, AccountingFormat::akmta}, logger_);
    acclog.write(record_for("a@x"));
    const auto lines = lines_of(path);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(lines[0].starts_with("2023/11/14 22:13:20 '0123456789ABCDEF',")) << lines[0];
    EXPECT_NE(lines[0].find(",'a@x',"), std::string::npos) << lines[0];
}

TEST_F(AccountingLogTest, CreatesTheFileWithMode0640) {
    const auto path = dir_.path() / "new.jsonl";
    const mode_t old_mask = ::umask(022);
    AccountingLog acclog({path.string(), false, AccountingFormat::json}, logger_);
    ::umask(old_mask);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST_F(AccountingLogTest, MissingDirectoryFailsAtStartUp) {
    const auto path = dir_.path() / "no-such-dir" / "accounting.jsonl";
    try {
        AccountingLog acclog({path.string(), false, AccountingFormat::json}, logger_);
        FAIL() << "no exception";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::error_code(ENOENT, std::system_category()));
        EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "no-such-dir"));
}

TEST_F(AccountingLogTest, ReopenFollowsARename) {
    const auto path = dir_.path() / "accounting.jsonl";
    const auto rotated = dir_.path() / "accounting.jsonl.1";
    AccountingLog acclog({path.string(), false, AccountingFormat::json}, logger_);
    acclog.write(record_for("before@x"));
    std::filesystem::rename(path, rotated);
    acclog.write(record_for("still-old@x"));  // until reopen, the old file
    EXPECT_EQ(acclog.reopen(), std::error_code());
    acclog.write(record_for("after@x"));
    EXPECT_EQ(lines_of(rotated).size(), 2u);
    const auto lines = lines_of(path);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("after@x"), std::string::npos);
}

TEST_F(AccountingLogTest, FailedReopenKeepsTheOldFile) {
    const auto sub = dir_.path() / "logs";
    std::filesystem::create_directory(sub);
    const auto path = sub / "accounting.jsonl";
    const auto moved = dir_.path() / "moved.jsonl";
    AccountingLog acclog({path.string(), false, AccountingFormat::json}, logger_);
    std::filesystem::rename(path, moved);
    std::filesystem::remove(sub);
    EXPECT_EQ(acclog.reopen(), std::error_code(ENOENT, std::system_category()));
    acclog.write(record_for("kept@x"));
    EXPECT_EQ(acclog.write_failures(), 0u);
    EXPECT_EQ(lines_of(moved).size(), 1u);
}

TEST_F(AccountingLogTest, FullDiskIsCountedAndLogged) {
    AccountingLog acclog({"/dev/full", false, AccountingFormat::json}, logger_);
    ::testing::internal::CaptureStderr();
    for (int i = 0; i < 2001; ++i) {
        acclog.write(record_for("r" + std::to_string(i) + "@x"));
    }
    const std::string logged = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(acclog.write_failures(), 2001u);
    std::size_t count = 0;
    for (std::size_t at = 0; (at = logged.find("write failed", at)) != std::string::npos; ++at) {
        ++count;
    }
    EXPECT_EQ(count, 3u) << "first, 1000th and 2000th failure:\n" << logged;
    EXPECT_NE(logged.find("error: accounting log /dev/full: write failed: No space left on "
                          "device; record lost (final 0123456789ABCDEF r0@x delivered); 1 lost"),
              std::string::npos)
        << logged;
    EXPECT_NE(logged.find("r999@x delivered); 1000 lost"), std::string::npos) << logged;
}

// The queue manager's way: the lines are written at once, the fdatasync runs elsewhere on a
// descriptor of its own, and its result is counted back on the io thread.
TEST_F(AccountingLogTest, AppendBatchLeavesTheSyncToTheCaller) {
    const auto path = dir_.path() / "accounting.jsonl";
    AccountingLog acclog({path.string(), false, AccountingFormat::json, AccountingSync::batch},
                         logger_);
    const std::vector<AccountingRecord> batch = {record_for("a@x"), record_for("b@x")};
    const auto pending = acclog.append_batch(batch);
    ASSERT_GE(pending.fd, 0);
    EXPECT_EQ(pending.records, 2u);
    EXPECT_EQ(lines_of(path).size(), 2u) << "written before the sync";
    EXPECT_EQ(acclog.syncs(), 0u);
    ASSERT_FALSE(acclog.reopen()) << "a reopen meanwhile leaves the pending descriptor alone";
    EXPECT_EQ(AccountingLog::sync_and_close(pending), 0);
    acclog.sync_done(pending, 0);
    EXPECT_EQ(acclog.syncs(), 1u);
    EXPECT_EQ(acclog.sync_failures(), 0u);

    AccountingLog unsynced({path.string(), false, AccountingFormat::json, AccountingSync::none},
                           logger_);
    EXPECT_EQ(unsynced.append_batch(batch).fd, -1);
}

// Issue 13 item 5: accounting.sync = "batch" makes each batch durable with one fdatasync; a
// lone write() is a batch of one; "none" never syncs.
TEST_F(AccountingLogTest, Issue13SyncBatchSyncsOncePerBatch) {
    const auto path = dir_.path() / "accounting.jsonl";
    AccountingLog acclog({path.string(), false, AccountingFormat::json, AccountingSync::batch},
                         logger_);
    const std::vector<AccountingRecord> batch = {record_for("a@x"), record_for("b@x"),
                                                 record_for("c@x")};
    acclog.write_batch(batch);
    EXPECT_EQ(acclog.syncs(), 1u);
    acclog.write(record_for("d@x"));
    EXPECT_EQ(acclog.syncs(), 2u);
    acclog.write_batch({});
    EXPECT_EQ(acclog.syncs(), 2u) << "an empty batch writes and syncs nothing";
    EXPECT_EQ(acclog.sync_failures(), 0u);
    EXPECT_EQ(acclog.write_failures(), 0u);
    EXPECT_EQ(lines_of(path).size(), 4u);
}

TEST_F(AccountingLogTest, Issue13SyncNoneNeverSyncs) {
    const auto path = dir_.path() / "accounting.jsonl";
    AccountingLog acclog({path.string(), false, AccountingFormat::json}, logger_);
    const std::vector<AccountingRecord> batch = {record_for("a@x"), record_for("b@x")};
    acclog.write_batch(batch);
    acclog.write(record_for("c@x"));
    EXPECT_EQ(acclog.syncs(), 0u);
    EXPECT_EQ(lines_of(path).size(), 3u);
}

TEST_F(AccountingLogTest, Issue13FailedSyncIsCountedAndLogged) {
    // /dev/null takes every write and refuses fdatasync (EINVAL).
    AccountingLog acclog({"/dev/null", false, AccountingFormat::json, AccountingSync::batch},
                         logger_);
    ::testing::internal::CaptureStderr();
    acclog.write_batch(std::vector<AccountingRecord>{record_for("a@x"), record_for("b@x")});
    acclog.write(record_for("c@x"));
    const std::string logged = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(acclog.write_failures(), 0u);
    EXPECT_EQ(acclog.syncs(), 2u);
    EXPECT_EQ(acclog.sync_failures(), 2u);
    EXPECT_NE(logged.find("error: accounting log /dev/null: fdatasync failed: Invalid argument; "
                          "the last 2 records may be lost in a power failure; 1 failed so far"),
              std::string::npos)
        << logged;
}

TEST_F(AccountingLogTest, Issue13FailedWritesAreNotSynced) {
    AccountingLog acclog({"/dev/full", false, AccountingFormat::json, AccountingSync::batch},
                         logger_);
    ::testing::internal::CaptureStderr();
    acclog.write_batch(std::vector<AccountingRecord>{record_for("a@x"), record_for("b@x")});
    ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(acclog.write_failures(), 2u);
    EXPECT_EQ(acclog.syncs(), 0u) << "nothing reached the file, so there is nothing to sync";
}

TEST_F(AccountingLogTest, NothingConfiguredWritesNothing) {
    AccountingLog acclog({"", false, AccountingFormat::json}, logger_);
    acclog.write(record_for("a@x"));
    EXPECT_EQ(acclog.write_failures(), 0u);
    EXPECT_EQ(acclog.reopen(), std::error_code());
}

}  // namespace
}  // namespace sluice::daemon::acclog
