#include "daemon/smtp/header_fields.hpp"

#include <gtest/gtest.h>

namespace sluice::daemon::smtp {
namespace {

const std::string kMessage =
    "Received: from a\r\n\tby b\r\n"
    "x-sluice-pool:  bulk \r\n"
    "Subject: hi\r\n"
    "X-Sluice-Pool: second\r\n  folded\r\n"
    "\r\n"
    "X-Sluice-Pool: body, not a header\r\n";

TEST(HeaderFields, ReadsTheFirstFieldCaseInsensitivelyAndTrimmed) {
    EXPECT_EQ(header_value(kMessage, "X-Sluice-Pool"), "bulk");
    EXPECT_EQ(header_value(kMessage, "Received"), "from a\tby b");
    EXPECT_EQ(header_value(kMessage, "Message-ID"), "");
    EXPECT_TRUE(has_header(kMessage, "subject"));
    EXPECT_FALSE(has_header(kMessage, "Subj"));
}

TEST(HeaderFields, RemovesEveryFieldWithItsContinuationLinesButNotTheBody) {
    EXPECT_EQ(remove_header(kMessage, "X-Sluice-Pool"),
              "Received: from a\r\n\tby b\r\n"
              "Subject: hi\r\n"
              "\r\n"
              "X-Sluice-Pool: body, not a header\r\n");
    EXPECT_EQ(remove_header(kMessage, "Nope"), kMessage);
}

TEST(HeaderFields, HandlesAMessageWithoutBody) {
    EXPECT_EQ(remove_header("A: 1\r\nB: 2\r\n", "a"), "B: 2\r\n");
    EXPECT_EQ(header_value("A: 1", "A"), "");  // no CRLF: not a complete field
}

// Only CRLF ends a line; a first line without CRLF ends the header, while a last continuation
// line without one still belongs to its field; "Name :" is not "Name:".
TEST(HeaderFields, RemovesOnlyWhatIsAFieldOfThatName) {
    struct Case {
        std::string content;
        std::string name;
        std::string want;
    } cases[] = {
        {"A: 1\r\nB: 2", "B", "A: 1\r\nB: 2"},
        {"A: 1\r\n b\r\n c", "A", ""},
        {"A: 1\r\nB: 2\r\n\r\nA: 3\r\n", "a", "B: 2\r\n\r\nA: 3\r\n"},
        {"A : 1\r\n", "A", "A : 1\r\n"},
        {"A: 1\rB: 2\r\n", "B", "A: 1\rB: 2\r\n"},
        {"A: 1\rB: 2\r\n", "A", ""},
        {"A: 1\nB: 2\r\n", "B", "A: 1\nB: 2\r\n"},
        {" A: 1\r\nA: 2\r\n", "A", " A: 1\r\n"},
        {"\r\nA: 1\r\n", "A", "\r\nA: 1\r\n"},
        {"A: 1\r\n\tx\r\n\r\n", "A", "\r\n"},
        {"AB: 1\r\nA: 2\r\n", "A", "AB: 1\r\n"},
    };
    for (const auto& c : cases) {
        const std::string got = remove_header(c.content, c.name);
        EXPECT_EQ(got, c.want) << "remove_header(\"" << c.content << "\", " << c.name << "): got \""
                               << got << "\", want \"" << c.want << "\"";
        EXPECT_EQ(has_header(c.content, c.name), got != c.content) << c.content;
    }
}

TEST(HeaderFields, ReadsValuesUnfolded) {
    struct Case {
        std::string content;
        std::string want;  // header_value(content, "A")
    } cases[] = {
        {"A: 1\r\n", "1"},     {"A: 1\r\n b", "1 b"},
        {"A:\r\n \r\n", ""},   {"a:  x y \r\nA: second\r\n", "x y"},
        {"A : 1\r\n", ""},     {"B: 1\r\n\r\nA: body\r\n", ""},
        {"A: 1\rB\r\n", "1B"},
    };
    for (const auto& c : cases) {
        const std::string got = header_value(c.content, "A");
        EXPECT_EQ(got, c.want) << "header_value(\"" << c.content << "\"): got \"" << got
                               << "\", want \"" << c.want << "\"";
    }
}

}  // namespace
}  // namespace sluice::daemon::smtp
