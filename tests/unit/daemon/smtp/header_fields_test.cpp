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

}  // namespace
}  // namespace sluice::daemon::smtp
