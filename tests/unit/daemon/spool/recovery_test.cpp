#include "daemon/spool/recovery.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "daemon/spool/progress_append.hpp"
#include "daemon/spool/spool_encoder.hpp"
#include "daemon/spool/spool_layout.hpp"
#include "sample_messages.hpp"
#include "temp_dir.hpp"

namespace sluice::daemon::spool {
namespace {

using testing::sample_message;
using testing::TempDir;

static_assert(sizeof(SpoolIndexEntry) == 40, "a million entries must stay around 40 MB");

class RecoveryTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_FALSE(create_spool_layout(layout_)); }

    std::string encoded(const SpooledMessage& message) {
        std::string out;
        EXPECT_FALSE(encoder_.encode(message, out));
        return out;
    }
    void put(const std::string& name, const std::string& bytes) {
        std::ofstream(layout_.queue_dir() / name, std::ios::binary) << bytes;
    }
    std::set<std::string> names_in(const std::filesystem::path& dir) {
        std::set<std::string> names;
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            names.insert(entry.path().filename().string());
        }
        return names;
    }

    log::Logger logger_{log::Logger::Destination::terminal, log::Severity::debug};
    TempDir dir_;
    SpoolLayout layout_{dir_.path() / "spool"};
    SpoolEncoder encoder_{3};
};

TEST_F(RecoveryTest, RemovesTempFilesMovesCorruptOnesAndIndexesTheRest) {
    const std::string a = "0000000000000003", b = "0000000000000001", c = "0000000000000002";
    put(a, encoded(sample_message(a, 2, "short\r\n")));
    put(b, encoded(sample_message(b, 3, std::string(5000, 'x'))));
    put(c, encoded(sample_message(c, 1)));
    const RecipientProgress delivered[] = {{0, RecipientState::delivered, 1, 0}};
    ASSERT_FALSE(append_progress(layout_.message_path(b), delivered));
    ASSERT_FALSE(append_progress(layout_.message_path(c), delivered));
    put("0000000000000004.tmp", encoded(sample_message("0000000000000004")));
    put("0000000000000005", "garbage");
    std::string truncated = encoded(sample_message("0000000000000006"));
    put("0000000000000006", truncated.substr(0, truncated.size() - 3));
    put("0000000000000007", encoded(sample_message("000000000000000V")));
    put("notes.txt", "an admin's file");

    ::testing::internal::CaptureStderr();
    RecoveryResult result;
    std::error_code ec = recover_spool(layout_.root(), logger_, result, 2);
    std::string log = ::testing::internal::GetCapturedStderr();
    ASSERT_FALSE(ec) << ec.message();

    ASSERT_EQ(result.messages.size(), 3u);
    struct Want {
        std::string id;
        std::uint32_t content, total, pending;
    };
    const Want want[] = {{b, 5000, 3, 2}, {c, 22, 1, 0}, {a, 7, 2, 2}};
    for (std::size_t i = 0; i < 3; ++i) {
        const SpoolIndexEntry& got = result.messages[i];
        EXPECT_EQ(got.id(), want[i].id) << "position " << i;
        EXPECT_EQ(got.content_size, want[i].content) << got.id();
        EXPECT_EQ(got.recipients_total, want[i].total) << got.id();
        EXPECT_EQ(got.recipients_pending, want[i].pending) << got.id();
        EXPECT_EQ(got.file_size, std::filesystem::file_size(layout_.message_path(got.id())));
        EXPECT_EQ(got.arrival_unix_us, 1'700'000'000'123'456);
    }
    EXPECT_EQ(result.totals.messages, 3u);
    EXPECT_EQ(result.totals.recipients_total, 6u);
    EXPECT_EQ(result.totals.recipients_pending, 4u);
    EXPECT_EQ(result.totals.content_bytes, 5029u);
    EXPECT_EQ(result.totals.temp_removed, 1u);
    EXPECT_EQ(result.totals.corrupt_moved, 4u);
    EXPECT_EQ(names_in(layout_.queue_dir()), (std::set<std::string>{a, b, c}));
    EXPECT_EQ(names_in(layout_.corrupt_dir()),
              (std::set<std::string>{"0000000000000005", "0000000000000006", "0000000000000007",
                                     "notes.txt"}));
    for (const char* expected : {"queue/0000000000000005 to corrupt/0000000000000005: not a spool",
                                 "queue/0000000000000006 to corrupt/0000000000000006: truncated",
                                 "0000000000000007: queue ID record does not match",
                                 "queue/notes.txt to corrupt/notes.txt: unexpected file name",
                                 "3 messages, 4 of 6 recipients pending"}) {
        EXPECT_NE(log.find(expected), std::string::npos) << "want \"" << expected << "\" in:\n"
                                                         << log;
    }
}

TEST_F(RecoveryTest, ACorruptNameAlreadyTakenGetsASuffix) {
    put("0000000000000005", "garbage");
    std::ofstream(layout_.corrupt_dir() / "0000000000000005") << "older";
    RecoveryResult result;
    ::testing::internal::CaptureStderr();
    ASSERT_FALSE(recover_spool(layout_.root(), logger_, result));
    ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(names_in(layout_.corrupt_dir()),
              (std::set<std::string>{"0000000000000005", "0000000000000005.1"}));
}

TEST(Recovery, AnEmptySpoolIsCreated) {
    TempDir dir;
    log::Logger logger(log::Logger::Destination::terminal, log::Severity::error);
    RecoveryResult result;
    ASSERT_FALSE(recover_spool(dir.path() / "new", logger, result));
    EXPECT_TRUE(result.messages.empty());
    EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "new" / "queue"));
}

}  // namespace
}  // namespace sluice::daemon::spool
