#include "daemon/spool/record_format.hpp"

#include <gtest/gtest.h>
#include <zstd.h>

#include <cstring>
#include <string>
#include <vector>

#include "daemon/spool/format_errc.hpp"
#include "daemon/spool/progress_record.hpp"
#include "daemon/spool/spool_decoder.hpp"
#include "daemon/spool/spool_encoder.hpp"
#include "sample_messages.hpp"

namespace sluice::daemon::spool {
namespace {

using testing::describe;
using testing::expected_progress;
using testing::sample_message;

constexpr const char* kId = "0123456789ABCDEF";

std::string encode(const SpooledMessage& message) {
    SpoolEncoder encoder(3);
    std::string out;
    std::error_code ec = encoder.encode(message, out);
    EXPECT_FALSE(ec) << ec.message();
    return out;
}

std::error_code decode(std::string_view file, SpooledMessage& out) {
    SpoolDecoder decoder;
    return decoder.decode(file, out);
}

std::string binary_content() {
    std::string content;
    for (int i = 0; i < 4096; ++i) content.push_back(static_cast<char>(i * 7 % 256));
    content += std::string("\0\r\0\n.\r\n", 7);
    return content;
}

std::string large_content() {
    std::string content;
    std::uint32_t x = 12345;
    while (content.size() < 3 * kContentChunkSize + 17) {
        x = x * 1103515245 + 12345;
        content += fmt::format("line {} {}\r\n", content.size(), x >> 8);
    }
    return content;
}

std::vector<SpooledMessage> roundtrip_cases() {
    std::vector<SpooledMessage> cases;
    cases.push_back(sample_message(kId));
    SpooledMessage null_sender = sample_message(kId, 1);
    null_sender.envelope.sender.clear();
    null_sender.envelope.mail_params.clear();
    cases.push_back(null_sender);
    SpooledMessage utf8 = sample_message(kId, 2, "Subject: =?UTF-8?Q?h=C3=A9?=\r\n\r\nпривет\r\n");
    utf8.envelope.sender = "jöran@exämple.org";
    utf8.envelope.recipients[0].address = "用户@例子.广告";
    utf8.envelope.smtputf8 = true;
    cases.push_back(utf8);
    SpooledMessage binary = sample_message(kId, 1, binary_content());
    binary.envelope.body_type = BodyType::binary_mime;
    cases.push_back(binary);
    cases.push_back(sample_message(kId, 1000));
    cases.push_back(sample_message(kId, 1, ""));
    cases.push_back(sample_message(kId, 3, large_content()));
    SpooledMessage empty_fields = sample_message(kId, 1);
    empty_fields.envelope.client_name.clear();
    empty_fields.envelope.helo.clear();
    empty_fields.envelope.arrival_unix_us = -1;
    cases.push_back(empty_fields);
    SpooledMessage authenticated = sample_message(kId, 2);
    authenticated.envelope.auth_user = "alice@submit.example";
    authenticated.envelope.protocol = "ESMTPSA";
    cases.push_back(authenticated);
    SpooledMessage with_progress = sample_message(kId, 4);
    with_progress.progress = {{1, RecipientState::delivered, 1, 0},
                              {2, RecipientState::pending, 3, 1'700'000'600},
                              {1, RecipientState::bounced, 2, 0}};
    cases.push_back(with_progress);
    return cases;
}

TEST(RecordFormat, RoundTripsEveryField) {
    for (const SpooledMessage& want : roundtrip_cases()) {
        SpooledMessage got;
        std::error_code ec = decode(encode(want), got);
        ASSERT_FALSE(ec) << ec.message() << " for " << describe(want);
        SpooledMessage normalized = want;
        normalized.progress = expected_progress(want);
        EXPECT_EQ(describe(got), describe(normalized));
        EXPECT_EQ(got.content, want.content);
    }
}

TEST(RecordFormat, SummaryMatchesDecode) {
    SpooledMessage message = sample_message(kId, 3, large_content());
    message.progress = {{0, RecipientState::delivered, 1, 0}};
    std::string file = encode(message);
    SpoolDecoder decoder;
    SpoolSummary summary;
    ASSERT_FALSE(decoder.summarize(file, summary));
    EXPECT_EQ(summary.queue_id, kId);
    EXPECT_EQ(summary.arrival_unix_us, message.envelope.arrival_unix_us);
    EXPECT_EQ(summary.content_size, message.content.size());
    EXPECT_EQ(summary.recipients_total, 3u);
    EXPECT_EQ(summary.recipients_pending, 2u);
    EXPECT_EQ(summary.valid_size, file.size());
}

TEST(RecordFormat, EncoderRefusesWhatCannotBeSpooled) {
    struct Case {
        const char* name;
        SpooledMessage message;
        format_errc want;
    };
    SpooledMessage no_recipients = sample_message(kId, 0);
    SpooledMessage bad_id = sample_message("../../etc/passwd");
    const Case cases[] = {{"no recipients", no_recipients, format_errc::no_recipients},
                          {"bad queue id", bad_id, format_errc::bad_queue_id}};
    SpoolEncoder encoder(3);
    for (const Case& c : cases) {
        std::string out;
        std::error_code got = encoder.encode(c.message, out);
        EXPECT_EQ(got, c.want) << c.name << ": got " << got.message() << ", want "
                               << make_error_code(c.want).message();
    }
}

TEST(RecordFormat, InputCutAtEveryOffsetFailsWithTheRightReason) {
    std::string file = encode(sample_message(kId));
    for (std::size_t cut = 0; cut < file.size(); ++cut) {
        SpooledMessage got;
        std::error_code ec = decode(std::string_view(file).substr(0, cut), got);
        std::error_code want =
            cut < kPreambleSize ? format_errc::truncated_preamble : format_errc::truncated_frame;
        EXPECT_EQ(ec, want) << "cut at " << cut << ": got " << ec.message() << ", want "
                            << want.message();
    }
}

TEST(RecordFormat, ProgressCutAtEveryOffsetKeepsTheWholeRecords) {
    SpooledMessage message = sample_message(kId, 2);
    message.progress = {{0, RecipientState::delivered, 1, 0}, {1, RecipientState::bounced, 1, 0}};
    std::string file = encode(message);
    std::size_t frame_end = file.size() - 2 * kProgressRecordSize;
    for (std::size_t cut = frame_end; cut <= file.size(); ++cut) {
        SpooledMessage got;
        std::error_code ec = decode(std::string_view(file).substr(0, cut), got);
        ASSERT_FALSE(ec) << "cut at " << cut << ": " << ec.message();
        std::size_t whole = (cut - frame_end) / kProgressRecordSize;
        RecipientState want0 = whole >= 1 ? RecipientState::delivered : RecipientState::pending;
        RecipientState want1 = whole >= 2 ? RecipientState::bounced : RecipientState::pending;
        EXPECT_EQ(got.progress[0].state, want0) << "cut at " << cut;
        EXPECT_EQ(got.progress[1].state, want1) << "cut at " << cut;
    }
}

TEST(RecordFormat, ByteFlippedAtEveryOffsetNeverDecodesToAnotherMessage) {
    SpooledMessage message = sample_message(kId, 2);
    message.progress = {{0, RecipientState::delivered, 1, 0}, {1, RecipientState::bounced, 1, 0}};
    const std::string file = encode(message);
    SpooledMessage want = message;
    want.progress = expected_progress(message);
    const std::size_t first_progress = file.size() - 2 * kProgressRecordSize;
    const std::size_t last_progress = file.size() - kProgressRecordSize;
    for (std::size_t at = 0; at < file.size(); ++at) {
        for (unsigned char mask : {0x01, 0x80, 0xFF}) {
            std::string damaged = file;
            damaged[at] = static_cast<char>(damaged[at] ^ mask);
            SpooledMessage got;
            std::error_code ec = decode(damaged, got);
            if (at < first_progress) {
                // Some bits change nothing zstd reads (reserved bits it does not check): those
                // may decode, but only to the very same message.
                if (!ec) {
                    EXPECT_EQ(describe(got), describe(want))
                        << "flip " << int(mask) << " at " << at << " decoded to something else";
                }
            } else if (at < last_progress) {
                EXPECT_EQ(ec, format_errc::progress_corrupt)
                    << "flip at " << at << ": got " << ec.message();
            } else {
                // The last record is damaged: treated as a torn, never-acknowledged append.
                ASSERT_FALSE(ec) << "flip at " << at << ": " << ec.message();
                EXPECT_EQ(got.progress[1].state, RecipientState::pending) << "flip at " << at;
                EXPECT_EQ(got.progress[0].state, RecipientState::delivered) << "flip at " << at;
            }
        }
    }
}

// Builds a file around hand-made records, to reach checks the encoder never trips.
std::string build_file(const std::string& plain, std::uint32_t recipients, int checksum = 1) {
    std::string frame(ZSTD_compressBound(plain.size()), '\0');
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, checksum);
    frame.resize(ZSTD_compress2(cctx, frame.data(), frame.size(), plain.data(), plain.size()));
    ZSTD_freeCCtx(cctx);
    std::string file;
    put_preamble(file, {kSpoolFormatVersion, static_cast<std::uint32_t>(frame.size()), recipients});
    return file + frame;
}

std::string record(RecordType type, std::string_view payload) {
    std::string out;
    put_record(out, type, payload);
    return out;
}

std::string recipient(std::string_view address) {
    std::string payload;
    put_varint(payload, address.size());
    payload.append(address);
    return record(RecordType::recipient, payload);
}

const std::string kIdRecord = record(RecordType::queue_id, kId);
const std::string kArrival = record(RecordType::arrival, std::string(8, '\1'));
const std::string kSender = record(RecordType::sender, "a@example.com");
const std::string kRcpt = recipient("b@example.net");
const std::string kContent = record(RecordType::content, "hello\r\n");
const std::string kEnd = record(RecordType::end, "");
const std::string kValid = kIdRecord + kArrival + kSender + kRcpt + kContent + kEnd;

std::string with_preamble_patch(std::string file, std::size_t at, std::string_view bytes) {
    std::memcpy(file.data() + at, bytes.data(), bytes.size());
    return file;
}

std::string progress(std::uint32_t index, RecipientState state) {
    std::string out;
    put_progress_record(out, {index, state, 1, 0});
    return out;
}

TEST(RecordFormat, EachCorruptionHasItsOwnError) {
    struct Case {
        const char* name;
        std::string file;
        std::error_code want;
    };
    const std::string valid = build_file(kValid, 1);
    std::string bad_checksum = valid;
    bad_checksum.back() = static_cast<char>(bad_checksum.back() ^ 1);
    std::string bad_state = progress(0, RecipientState::delivered);
    bad_state[5] = 9;
    bad_state.replace(16, 4, std::string(4, '\0'));
    {
        std::uint32_t crc = crc32(std::string_view(bad_state).substr(1, 15));
        for (int i = 0; i < 4; ++i) bad_state[16 + i] = static_cast<char>(crc >> (8 * i));
    }
    const Case cases[] = {
        {"valid", valid, {}},
        {"unknown optional record skipped",
         build_file(kIdRecord + kArrival + kSender + kRcpt + record(RecordType{0x41}, "x") + kEnd,
                    1),
         {}},
        {"empty file", "", format_errc::truncated_preamble},
        {"bad magic", "From: someone\r\n\r\nnot a spool file\r\n", format_errc::bad_magic},
        {"version 2", with_preamble_patch(valid, 8, "\2"), format_errc::unsupported_version},
        {"reserved bits", with_preamble_patch(valid, 10, "\1"), format_errc::bad_preamble},
        {"frame size too big", with_preamble_patch(valid, 12, "\xff\xff"),
         format_errc::truncated_frame},
        {"frame size too small", with_preamble_patch(valid, 12, "\x08"),
         format_errc::frame_size_mismatch},
        {"no checksum", build_file(kValid, 1, 0), format_errc::missing_checksum},
        {"checksum mismatch", bad_checksum, format_errc::checksum_mismatch},
        {"unknown required record",
         build_file(kIdRecord + kArrival + kSender + kRcpt + record(RecordType{0x20}, "x") + kEnd,
                    1),
         format_errc::unknown_record_type},
        {"duplicate queue id", build_file(kIdRecord + kValid, 1), format_errc::duplicate_record},
        {"short arrival",
         build_file(kIdRecord + record(RecordType::arrival, "1234") + kSender + kRcpt + kEnd, 1),
         format_errc::bad_record_value},
        {"body type 7", build_file(record(RecordType::body_type, "\7") + kValid, 1),
         format_errc::bad_record_value},
        {"recipient address overruns",
         build_file(kIdRecord + kArrival + kSender +
                        record(RecordType::recipient,
                               "\x10"
                               "ab") +
                        kEnd,
                    1),
         format_errc::bad_record_value},
        {"missing sender", build_file(kIdRecord + kArrival + kRcpt + kEnd, 1),
         format_errc::missing_record},
        {"path in queue id",
         build_file(
             record(RecordType::queue_id, "../../etc/passwd") + kArrival + kSender + kRcpt + kEnd,
             1),
         format_errc::bad_queue_id},
        {"no END", build_file(kIdRecord + kArrival + kSender + kRcpt + kContent, 1),
         format_errc::missing_end},
        {"record after END", build_file(kValid + kContent, 1), format_errc::trailing_data},
        {"END with payload",
         build_file(kIdRecord + kArrival + kSender + kRcpt + record(RecordType::end, "x"), 1),
         format_errc::bad_record_value},
        {"truncated record",
         build_file(kIdRecord + kArrival + kSender + kRcpt +
                        "\x0d\x64"
                        "abc",
                    1),
         format_errc::truncated_record},
        {"no recipients", build_file(kIdRecord + kArrival + kSender + kEnd, 0),
         format_errc::no_recipients},
        {"recipient count mismatch", build_file(kValid, 2), format_errc::recipient_count_mismatch},
        {"damaged progress before a valid one",
         valid + std::string(20, '\0') + progress(0, RecipientState::delivered),
         format_errc::progress_corrupt},
        {"damaged progress tail ignored",
         valid + progress(0, RecipientState::delivered) + std::string(20, '\0') + "\xb5\1",
         {}},
        {"progress index out of range", valid + progress(1, RecipientState::delivered),
         format_errc::progress_index_out_of_range},
        {"progress with unknown state", valid + bad_state, format_errc::bad_record_value},
    };
    for (const Case& c : cases) {
        SpooledMessage message;
        std::error_code got = decode(c.file, message);
        EXPECT_EQ(got, c.want) << c.name << ": got " << got.message() << ", want "
                               << c.want.message();
    }
}

TEST(RecordFormat, RecordsCutAtEveryOffsetNeverDecode) {
    for (std::size_t cut = 0; cut < kValid.size(); ++cut) {
        SpooledMessage message;
        std::error_code got = decode(build_file(kValid.substr(0, cut), 1), message);
        EXPECT_TRUE(got == format_errc::truncated_record || got == format_errc::missing_end ||
                    got == format_errc::missing_record || got == format_errc::no_recipients)
            << "cut at " << cut << ": got " << got.message();
    }
}

TEST(RecordFormat, VarintTakesAtMostFiveBytesAndThirtyTwoBits) {
    struct Case {
        std::string input;
        bool ok;
        std::uint32_t want;
    };
    const Case cases[] = {
        {std::string("\0", 1), true, 0},
        {"\x7f", true, 127},
        {"\x80\x01", true, 128},
        {"\xff\xff\xff\xff\x0f", true, 0xFFFFFFFFu},
        {"\xff\xff\xff\xff\x1f", false, 0},
        {"\x80\x80\x80\x80\x80\x01", false, 0},
        {"\x80", false, 0},
        {"", false, 0},
    };
    for (const Case& c : cases) {
        std::string_view input = c.input;
        std::uint32_t got = 0;
        bool ok = take_varint(input, got);
        EXPECT_EQ(ok, c.ok) << "input size " << c.input.size();
        if (ok) {
            EXPECT_EQ(got, c.want) << "got " << got << ", want " << c.want;
        }
    }
}

}  // namespace
}  // namespace sluice::daemon::spool
