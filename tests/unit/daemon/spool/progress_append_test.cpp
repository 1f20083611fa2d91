#include "daemon/spool/progress_append.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "daemon/spool/file_io.hpp"
#include "daemon/spool/format_errc.hpp"
#include "daemon/spool/progress_record.hpp"
#include "daemon/spool/spool_encoder.hpp"
#include "daemon/spool/spool_reader.hpp"
#include "sample_messages.hpp"
#include "temp_dir.hpp"

namespace sluice::daemon::spool {
namespace {

using testing::sample_message;
using testing::TempDir;

class ProgressAppend : public ::testing::Test {
  protected:
    void SetUp() override {
        path_ = dir_.path() / "0123456789ABCDEF";
        SpoolEncoder encoder(3);
        ASSERT_FALSE(encoder.encode(sample_message("0123456789ABCDEF", 3), file_));
        write(file_);
    }
    void write(const std::string& bytes) {
        std::ofstream(path_, std::ios::binary | std::ios::trunc) << bytes;
    }
    void append_raw(const std::string& bytes) {
        std::ofstream(path_, std::ios::binary | std::ios::app) << bytes;
    }
    std::uintmax_t size() const { return std::filesystem::file_size(path_); }
    SpooledMessage read() {
        SpooledMessage message;
        std::error_code ec = read_spool_file(path_, message);
        EXPECT_FALSE(ec) << ec.message();
        return message;
    }

    TempDir dir_;
    std::filesystem::path path_;
    std::string file_;
};

TEST_F(ProgressAppend, LatestRecordPerRecipientWins) {
    const RecipientProgress first[] = {{0, RecipientState::pending, 1, 1'700'000'300},
                                       {1, RecipientState::delivered, 1, 0}};
    ASSERT_FALSE(append_progress(path_, first));
    const RecipientProgress second[] = {{0, RecipientState::delivered, 2, 0}};
    ASSERT_FALSE(append_progress(path_, second));
    SpooledMessage got = read();
    const RecipientProgress want[] = {{0, RecipientState::delivered, 2, 0},
                                      {1, RecipientState::delivered, 1, 0},
                                      {2, RecipientState::pending, 0, 0}};
    ASSERT_EQ(got.progress.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(got.progress[i], want[i])
            << "recipient " << i << ": got state " << int(got.progress[i].state) << " attempts "
            << got.progress[i].attempts << ", want state " << int(want[i].state) << " attempts "
            << want[i].attempts;
    }
    EXPECT_EQ(size(), file_.size() + 3 * kProgressRecordSize);
}

TEST_F(ProgressAppend, DelayWarnedMarkSurvivesWithEveryState) {
    RecipientProgress warned{0, RecipientState::pending, 3, 1'700'000'900};
    warned.delay_warned = true;
    RecipientProgress bounced{1, RecipientState::bounced, 4, 0};
    bounced.delay_warned = true;
    const RecipientProgress records[] = {warned, bounced};
    ASSERT_FALSE(append_progress(path_, records));
    SpooledMessage got = read();
    ASSERT_EQ(got.progress.size(), 3u);
    EXPECT_EQ(got.progress[0], warned);
    EXPECT_EQ(got.progress[1], bounced);
    EXPECT_FALSE(got.progress[2].delay_warned);
}

TEST_F(ProgressAppend, TornTailIsIgnoredThenCutByTheNextAppend) {
    struct Case {
        const char* name;
        std::string tail;
    };
    const Case cases[] = {
        {"partial record", "\xb5\x01\x00"},
        {"zeroed record", std::string(kProgressRecordSize, '\0')},
        {"zeroed record and a partial one", std::string(kProgressRecordSize + 7, '\0')},
    };
    for (const Case& c : cases) {
        write(file_);
        const RecipientProgress before[] = {{2, RecipientState::bounced, 1, 0}};
        ASSERT_FALSE(append_progress(path_, before));
        append_raw(c.tail);
        EXPECT_EQ(read().progress[2].state, RecipientState::bounced) << c.name;
        const RecipientProgress after[] = {{1, RecipientState::delivered, 1, 0}};
        std::error_code ec = append_progress(path_, after);
        ASSERT_FALSE(ec) << c.name << ": " << ec.message();
        SpooledMessage got = read();
        EXPECT_EQ(got.progress[1].state, RecipientState::delivered) << c.name;
        EXPECT_EQ(got.progress[2].state, RecipientState::bounced) << c.name;
        EXPECT_EQ(size(), file_.size() + 2 * kProgressRecordSize)
            << c.name << ": got size " << size() << ", want the damaged tail cut";
    }
}

TEST_F(ProgressAppend, RefusesAnIndexOutOfRangeAndLeavesTheFileAlone) {
    const RecipientProgress records[] = {{3, RecipientState::delivered, 1, 0}};
    EXPECT_EQ(append_progress(path_, records), format_errc::progress_index_out_of_range);
    EXPECT_EQ(size(), file_.size());
}

TEST_F(ProgressAppend, RefusesToAppendToACorruptTail) {
    append_raw(std::string(kProgressRecordSize, '\0'));
    std::string valid;
    put_progress_record(valid, {0, RecipientState::delivered, 1, 0});
    append_raw(valid);
    const RecipientProgress records[] = {{1, RecipientState::delivered, 1, 0}};
    EXPECT_EQ(append_progress(path_, records), format_errc::progress_corrupt);
}

TEST_F(ProgressAppend, MissingFileIsReportedAsSuch) {
    const RecipientProgress records[] = {{0, RecipientState::delivered, 1, 0}};
    EXPECT_EQ(append_progress(dir_.path() / "VVVVVVVVVVVVVVVV", records),
              std::errc::no_such_file_or_directory);
}

TEST(ApplyProgressTail, Table) {
    auto rec = [](std::uint32_t index, RecipientState state) {
        std::string out;
        put_progress_record(out, {index, state, 1, 0});
        return out;
    };
    const std::string damaged(kProgressRecordSize, 'x');
    struct Case {
        const char* name;
        std::string tail;
        std::error_code want;
        std::size_t want_valid;
    };
    const Case cases[] = {
        {"empty", "", {}, 0},
        {"one", rec(0, RecipientState::delivered), {}, 20},
        {"two", rec(0, RecipientState::delivered) + rec(1, RecipientState::bounced), {}, 40},
        {"torn partial", rec(0, RecipientState::delivered) + "\xb5", {}, 20},
        {"damaged last", rec(0, RecipientState::delivered) + damaged, {}, 20},
        {"damaged first", damaged + rec(0, RecipientState::delivered),
         format_errc::progress_corrupt, 0},
        {"out of range", rec(2, RecipientState::delivered),
         format_errc::progress_index_out_of_range, 0},
        {"unknown state", rec(0, static_cast<RecipientState>(4)), format_errc::bad_record_value, 0},
        {"unknown state, warned", rec(0, static_cast<RecipientState>(0x84)),
         format_errc::bad_record_value, 0},
    };
    for (const Case& c : cases) {
        std::vector<RecipientProgress> progress(2);
        std::size_t valid = 0;
        std::error_code got = apply_progress_tail(c.tail, progress, valid);
        EXPECT_EQ(got, c.want) << c.name << ": got " << got.message() << ", want "
                               << c.want.message();
        if (!got) {
            EXPECT_EQ(valid, c.want_valid)
                << c.name << ": got " << valid << ", want " << c.want_valid;
        }
    }
}

TEST(Crc32, MatchesTheStandardCheckValue) {
    EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
}

}  // namespace
}  // namespace sluice::daemon::spool
