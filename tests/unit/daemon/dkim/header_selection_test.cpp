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

// CRLF, bare CR and bare LF all end lines (as in the canonicalizer); a last line without a
// break is still a field; the name is trimmed of WSP before the colon.
TEST(SplitMessage, LineBreaksAndEdges) {
    struct Case {
        std::string content;
        std::vector<std::string> want_texts;
        std::vector<std::string> want_names;
        std::string want_body;  // empty too when there is no empty line
    } cases[] = {
        {"A: 1\nB: 2\rC: 3\r\n\nbody", {"A: 1", "B: 2", "C: 3"}, {"A", "B", "C"}, "body"},
        {"A: 1\n b\r c", {"A: 1\n b\r c"}, {"A"}, ""},
        {"A: 1", {"A: 1"}, {"A"}, ""},
        {"\nbody", {}, {}, "body"},
        {" x: 1\r\nA: 2", {" x: 1", "A: 2"}, {" x", "A"}, ""},
        {"A \t: 1\r\n", {"A \t: 1"}, {"A"}, ""},
        {"A: 1\r\n\r\n", {"A: 1"}, {"A"}, ""},
        {"No colon\r\n\r\nb", {"No colon"}, {""}, "b"},
        {"A: 1\r\r\nb", {"A: 1"}, {"A"}, "b"},
        {"A\r\n b: 1\r\n", {"A\r\n b: 1"}, {"A\r\n b"}, ""},
    };
    for (const auto& c : cases) {
        const MessageParts parts = split_message(c.content);
        std::vector<std::string> texts;
        std::vector<std::string> names;
        for (const HeaderField& field : parts.fields) {
            texts.emplace_back(field.text);
            names.emplace_back(field.name);
        }
        EXPECT_EQ(texts, c.want_texts) << "\"" << c.content << "\"";
        EXPECT_EQ(names, c.want_names) << "\"" << c.content << "\"";
        EXPECT_EQ(parts.body, c.want_body) << "\"" << c.content << "\"";
    }
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
