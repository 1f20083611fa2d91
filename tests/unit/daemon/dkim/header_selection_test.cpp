// Splitting a message into fields and body, choosing the signed fields (over-signing, bottom-up
// order of repeated fields) and finding the From domain.
#include "daemon/dkim/header_selection.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/dkim/from_domain.hpp"
#include "daemon/dkim/message_header.hpp"

namespace sluice::daemon::dkim {
namespace {

TEST(SplitMessage, FieldsWithContinuationsAndBody) {
    const std::string content =
        "Received: from a\r\n\tby b\r\nFrom: x@example.com\r\nSubject : hi\r\n\r\nbody\r\n";
    const MessageParts parts = split_message(content);
    ASSERT_EQ(parts.fields.size(), 3u);
    EXPECT_EQ(parts.fields[0].name, "Received");
    EXPECT_EQ(parts.fields[0].text, "Received: from a\r\n\tby b");
    EXPECT_EQ(parts.fields[1].text, "From: x@example.com");
    EXPECT_EQ(parts.fields[2].name, "Subject");
    EXPECT_EQ(parts.body, "body\r\n");
}

TEST(SplitMessage, NoBodyAndNoColon) {
    const MessageParts parts = split_message("From: a@b.c\r\nnot a field\r\n");
    ASSERT_EQ(parts.fields.size(), 2u);
    EXPECT_EQ(parts.fields[1].name, "");
    EXPECT_EQ(parts.body, "");
    EXPECT_TRUE(split_message("").fields.empty());
}

TEST(SelectHeaders, OverSignsEveryListedName) {
    const MessageParts parts = split_message(
        "Received: x\r\nFrom: a@example.com\r\nTo: b@example.org\r\nSubject: one\r\n"
        "subject: two\r\nX-Mailer: m\r\n\r\n");
    const HeaderSelection selection = select_headers(parts.fields);
    // Each listed name once more than present; absent names once; others never.
    auto count = [&](std::string_view name) {
        return std::count(selection.names.begin(), selection.names.end(), name);
    };
    EXPECT_EQ(count("From"), 2);
    EXPECT_EQ(count("To"), 2);
    EXPECT_EQ(count("Subject"), 3);
    EXPECT_EQ(count("Cc"), 1);
    EXPECT_EQ(count("Sender"), 1);
    EXPECT_EQ(count("Received"), 0);
    EXPECT_EQ(count("X-Mailer"), 0);
    EXPECT_EQ(selection.names.size(), kSignedHeaders.size() + 4);
    // RFC 6376 §5.4.2: the last Subject first.
    const std::vector<std::string_view> want = {"From: a@example.com", "To: b@example.org",
                                                "subject: two", "Subject: one"};
    EXPECT_EQ(selection.fields, want);
}

TEST(FromDomain, FindsTheAuthorDomain) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"From: a@Example.COM\r\n\r\n", "example.com"},
        {"From: \"Ann <x@evil.test>\" <ann@example.com>\r\n\r\n", "example.com"},
        {"From: Ann (a@evil.test) <ann@mail.example.com>\r\n\r\n", "mail.example.com"},
        {"From:\r\n Ann\r\n <ann@example.com>\r\n\r\n", "example.com"},
        {"from: a@example.com, b@other.test\r\n\r\n", "example.com"},
        {"\"a@b\"@example.com", ""},  // no From field at all
        {"From: \"a@b\"@example.com\r\n\r\n", "example.com"},
        {"From: undisclosed\r\n\r\n", ""},
        {"Sender: s@other.test\r\nFrom: a@example.com.\r\n\r\n", "example.com"},
    };
    for (const auto& [content, want] : cases) {
        const auto got = from_domain(split_message(content).fields);
        EXPECT_EQ(got.value_or(""), want) << "content " << content;
    }
}

}  // namespace
}  // namespace sluice::daemon::dkim
