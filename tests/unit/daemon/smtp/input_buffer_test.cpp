#include "daemon/smtp/input_buffer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "split_plans.hpp"

namespace sluice::daemon::smtp {
namespace {

// What a session would see: each line taken, "<too long>" for each over-long line, then what
// is left pending. Every read is followed by taking lines until need_more.
std::string take_all(InputBuffer& buffer, std::size_t max_length) {
    std::string seen;
    std::string_view line;
    while (true) {
        InputBuffer::LineStatus status = buffer.take_line(max_length, line);
        if (status == InputBuffer::LineStatus::need_more) return seen;
        seen +=
            status == InputBuffer::LineStatus::line ? "[" + std::string(line) + "]" : "<too long>";
    }
}

// Feeds `input` in the pieces given by `cuts` (offsets), as reads of at most writable_size().
std::string feed(std::string_view input, const std::vector<std::size_t>& cuts, std::size_t capacity,
                 std::size_t max_length) {
    InputBuffer buffer(capacity);
    std::string seen;
    std::size_t from = 0;
    for (std::size_t i = 0; i <= cuts.size(); ++i) {
        std::size_t to = i < cuts.size() ? cuts[i] : input.size();
        while (from < to) {
            // The invariant a session's read loop relies on: room whenever not full.
            EXPECT_GT(buffer.writable_size(), 0u) << "pending " << buffer.pending().size();
            if (buffer.writable_size() == 0) return seen + "<stuck>";
            std::size_t n = std::min(to - from, buffer.writable_size());
            std::memcpy(buffer.writable_data(), input.data() + from, n);
            buffer.commit(n);
            from += n;
            seen += take_all(buffer, max_length);
        }
    }
    return seen + "|" + std::string(buffer.pending());
}

struct Case {
    std::string input;
    std::size_t max_length;
    std::string want;  // lines, then "|" and the bytes still pending
};

const std::vector<Case>& cases() {
    static const std::vector<Case> table = {
        {"EHLO x\r\nMAIL FROM:<a@b>\r\n", 100, "[EHLO x][MAIL FROM:<a@b>]|"},
        {"a\nb\r\n", 100, "[a][b]|"},
        {"a\r\r\n", 100, "[a\r]|"},
        {"\r\n\n", 100, "[][]|"},
        {"partial", 100, "|partial"},
        {"QUIT\r\npartial\r", 100, "[QUIT]|partial\r"},
        {"a\rb\n", 100, "[a\rb]|"},
        // max_length counts the line ending too.
        {"123456789\n", 10, "[123456789]|"},
        {"12345678\r\n", 10, "[12345678]|"},
        {"123456789\r\n", 10, "<too long>|"},
        {"1234567890\n", 10, "<too long>|"},
        {"0123456789abcdef\r\nQUIT\r\n", 10, "<too long>[QUIT]|"},
        {"NOOP\r\n0123456789abc DATA\r\nRSET\r\n", 10, "[NOOP]<too long>[RSET]|"},
        // The tail of an over-long line is dropped even when it comes much later, so
        // "QUIT" inside it is never a command; it is reported once.
        {std::string(100, 'x') + "QUIT\r\nNOOP\r\n", 10, "<too long>[NOOP]|"},
        {std::string(100, 'x'), 10, "<too long>|"},
        {std::string(100, 'x') + "\r", 10, "<too long>|"},
        {"0123456789\n0123456789\nok\n", 10, "<too long><too long>[ok]|"},
        // The capacity (32 here) caps the limit, or a long line would stall the session.
        {std::string(40, 'y') + "\nNOOP\n", 1000, "<too long>[NOOP]|"},
        {std::string(32, 'y') + "\nNOOP\n", 1000, "<too long>[NOOP]|"},
        {std::string(31, 'y') + "\nNOOP\n", 1000, "[" + std::string(31, 'y') + "][NOOP]|"},
        {"\n", 1, "[]|"},
        {"a\n", 1, "<too long>|"},
    };
    return table;
}

constexpr std::size_t kCapacity = 32;

// Whole, cut once at every offset, and byte by byte: the same lines every time.
TEST(InputBuffer, TakeLineSplitAtEveryOffset) {
    for (const Case& c : cases()) {
        for (const auto& plan : split_plans(c.input.size())) {
            std::string got = feed(c.input, plan, kCapacity, c.max_length);
            EXPECT_EQ(got, c.want)
                << "input " << testing::PrintToString(c.input) << " in " << plan.size() + 1
                << " pieces: got " << testing::PrintToString(got) << ", want "
                << testing::PrintToString(c.want);
        }
    }
}

TEST(InputBuffer, LargeCapacityAgreesWithSmall) {
    for (const Case& c : cases()) {
        if (c.max_length > kCapacity) continue;  // the small capacity caps those on purpose
        std::string got = feed(c.input, {}, 65536, c.max_length);
        EXPECT_EQ(got, c.want) << "input " << testing::PrintToString(c.input);
    }
}

TEST(InputBuffer, PendingBytesAfterALineAreForTheDataReader) {
    InputBuffer buffer(64);
    std::string input = "DATA\r\nSubject: x\r\n";
    std::memcpy(buffer.writable_data(), input.data(), input.size());
    buffer.commit(input.size());
    std::string_view line;
    ASSERT_EQ(buffer.take_line(100, line), InputBuffer::LineStatus::line);
    EXPECT_EQ(line, "DATA");
    EXPECT_EQ(buffer.pending(), "Subject: x\r\n");
    buffer.consume(9);
    EXPECT_EQ(buffer.pending(), "x\r\n");
    EXPECT_FALSE(buffer.empty());
    buffer.consume(3);
    EXPECT_TRUE(buffer.empty());
    EXPECT_EQ(buffer.writable_size(), 64u);
}

TEST(InputBuffer, CompactsToKeepRoomForTheNextRead) {
    InputBuffer buffer(8);
    std::memcpy(buffer.writable_data(), "abcdefgh", 8);
    buffer.commit(8);
    EXPECT_EQ(buffer.writable_size(), 0u);  // full: the session must consume first
    buffer.consume(3);
    ASSERT_EQ(buffer.writable_size(), 3u);
    std::memcpy(buffer.writable_data(), "ijk", 3);
    buffer.commit(3);
    EXPECT_EQ(buffer.pending(), "defghijk");
}

TEST(InputBuffer, ClearDropsPendingBytesAndALongLineInProgress) {
    InputBuffer buffer(64);
    std::string input = std::string(20, 'x');
    std::memcpy(buffer.writable_data(), input.data(), input.size());
    buffer.commit(input.size());
    std::string_view line;
    EXPECT_EQ(buffer.take_line(10, line), InputBuffer::LineStatus::too_long);
    buffer.clear();  // e.g. STARTTLS: nothing read before it may count after it
    EXPECT_TRUE(buffer.empty());
    std::memcpy(buffer.writable_data(), "EHLO x\r\n", 8);
    buffer.commit(8);
    ASSERT_EQ(buffer.take_line(10, line), InputBuffer::LineStatus::line);
    EXPECT_EQ(line, "EHLO x");
}

TEST(InputBuffer, LineStaysValidUntilTheNextCall) {
    InputBuffer buffer(16);
    std::memcpy(buffer.writable_data(), "NOOP\r\nRSET\r\nQU", 14);
    buffer.commit(14);
    std::string_view first;
    ASSERT_EQ(buffer.take_line(16, first), InputBuffer::LineStatus::line);
    EXPECT_EQ(buffer.writable_size(), 2u);  // reporting room moves nothing
    EXPECT_EQ(first, "NOOP");
}

}  // namespace
}  // namespace sluice::daemon::smtp
