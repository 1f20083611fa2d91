#include "daemon/delivery/reply_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../smtp/split_plans.hpp"

namespace sluice::daemon::delivery {
namespace {

using smtp::split_plans;

// "250 2.1.5 [line][line]" for each reply, "<error text>" at an error, then "|" and what is
// left unconsumed, or "|…" while a reply is incomplete.
std::string describe(const smtp::Reply& reply) {
    std::string out = std::to_string(reply.code);
    if (!reply.enhanced.empty()) out += " " + reply.enhanced;
    out += " ";
    for (const auto& line : reply.lines) out += "[" + line + "]";
    return out;
}

std::string parse(std::string_view input, const std::vector<std::size_t>& cuts,
                  ReplyLimits limits) {
    ReplyParser parser(limits);
    std::string seen;
    std::string pending;  // like a connection's input buffer
    std::size_t from = 0;
    for (std::size_t i = 0; i <= cuts.size(); ++i) {
        const std::size_t to = i < cuts.size() ? cuts[i] : input.size();
        pending.append(input.substr(from, to - from));
        from = to;
        for (;;) {
            pending.erase(0, parser.consume(pending));
            if (parser.state() == ReplyParser::State::failed) {
                return seen + "<" + parser.error().message() + ">";
            }
            if (parser.state() != ReplyParser::State::complete) break;
            seen += describe(parser.take_reply()) + ";";
        }
    }
    return seen + (pending.empty() ? "|" : "|" + pending);
}

struct Case {
    std::string input;
    std::string want;
    ReplyLimits limits = {};
};

std::string repeat(std::string_view text, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += text;
    return out;
}

const std::vector<Case>& cases() {
    static const std::vector<Case> table = {
        {"220 mx.example ESMTP\r\n", "220 [mx.example ESMTP];|"},
        {"250-mx.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\n",
         "250 [mx.example][PIPELINING][SIZE 1000];|"},
        {"250 2.1.5 Ok\r\n", "250 2.1.5 [Ok];|"},
        {"550-5.1.1 no such\r\n550 5.1.1 user\r\n", "550 5.1.1 [no such][user];|"},
        {"550-5.1.1 a\r\n550 other\r\n", "550 5.1.1 [a][other];|"},
        {"250 2.1.5\r\n", "250 2.1.5 [];|"},
        {"250\r\n", "250 [];|"},
        {"250 \r\n", "250 [];|"},
        {"250 ok\n", "250 [ok];|"},
        {"250 a\rb\r\n", "250 [a\rb];|"},
        // An enhanced code is one only with the reply's class and 1-3 digit parts.
        {"550 4.1.1 wrong class\r\n", "550 [4.1.1 wrong class];|"},
        {"250 2.1.5000 x\r\n", "250 [2.1.5000 x];|"},
        {"250 2.1 x\r\n", "250 [2.1 x];|"},
        {"250 2.1.5x\r\n", "250 [2.1.5x];|"},
        {"451 4.7.650 greylisted\r\n", "451 4.7.650 [greylisted];|"},
        // Pipelined replies come out one by one; bytes after a reply stay with the caller.
        {"250 a\r\n250 b\r\n354 go\r\n", "250 [a];250 [b];354 [go];|"},
        {"250 a\r\n250-b", "250 [a];|"},
        {"250-a\r\n250 b", "|"},
        // Malformed lines and replies.
        {"25O ok\r\n", "<malformed reply from the server>"},
        {"250-a\r\n251 b\r\n", "<malformed reply from the server>"},
        {"250_x\r\n", "<malformed reply from the server>"},
        {"\r\n", "<malformed reply from the server>"},
        {"ok\r\n", "<malformed reply from the server>"},
        {"25\r\n", "<malformed reply from the server>"},
        {"650 x\r\n", "<malformed reply from the server>"},
        {"150 x\r\n", "<malformed reply from the server>"},
        {"250 a\r\nxyz\r\n", "250 [a];<malformed reply from the server>"},
        // Limits: a line (CRLF included), the lines of a reply, the bytes of a reply.
        {"250 1234\r\n", "250 [1234];|", {10, 100, 1000}},
        {"250 12345\r\n", "<reply too long>", {10, 100, 1000}},
        {"250 123456789", "<reply too long>", {10, 100, 1000}},
        {"250 12345\n", "250 [12345];|", {10, 100, 1000}},
        {"250-a\r\n250-b\r\n250 c\r\n", "250 [a][b][c];|", {100, 3, 1000}},
        {"250-a\r\n250-b\r\n250-c\r\n250 d\r\n", "<reply too long>", {100, 3, 1000}},
        {"250-a\r\n250-b\r\n250 c\r\n", "250 [a][b][c];|", {100, 100, 21}},
        {"250-a\r\n250-b\r\n250 cd\r\n", "<reply too long>", {100, 100, 21}},
        // Limits count per reply, not per stream.
        {"250 a\r\n250 b\r\n250 c\r\n", "250 [a];250 [b];250 [c];|", {100, 1, 7}},
        // An endless multi-line reply stops at the default 100 lines.
        {repeat("250-x\r\n", 150), "<reply too long>"},
        {repeat("250-x\r\n", 99) + "250 y\r\n", "250 " + repeat("[x]", 99) + "[y];|"},
    };
    return table;
}

TEST(ReplyParser, Table) {
    for (const Case& c : cases()) {
        const std::string got = parse(c.input, {}, c.limits);
        EXPECT_EQ(got, c.want) << "input " << testing::PrintToString(c.input) << ": got "
                               << testing::PrintToString(got) << ", want "
                               << testing::PrintToString(c.want);
    }
}

TEST(ReplyParser, SplitAtEveryOffset) {
    for (const Case& c : cases()) {
        for (const auto& cuts : split_plans(c.input.size())) {
            const std::string got = parse(c.input, cuts, c.limits);
            ASSERT_EQ(got, c.want)
                << "input " << testing::PrintToString(c.input) << " cut at "
                << testing::PrintToString(cuts) << ": got " << testing::PrintToString(got)
                << ", want " << testing::PrintToString(c.want);
        }
    }
}

TEST(ReplyParser, FailureIsSticky) {
    ReplyParser parser;
    EXPECT_EQ(parser.consume("xyz\r\n250 ok\r\n"), 5u);
    EXPECT_EQ(parser.state(), ReplyParser::State::failed);
    EXPECT_EQ(parser.consume("250 ok\r\n"), 0u);
    EXPECT_EQ(parser.state(), ReplyParser::State::failed);
}

TEST(ReplyParser, LeadingEnhancedCode) {
    struct EnhancedCase {
        int code;
        std::string text;
        std::string want;
    };
    const std::vector<EnhancedCase> table = {
        {250, "2.0.0 Ok", "2.0.0"},
        {250, "2.0.0", "2.0.0"},
        {550, "5.7.1", "5.7.1"},
        {550, "5.123.456 x", "5.123.456"},
        {550, "5.1234.1 x", ""},
        {550, "5.1. x", ""},
        {550, "4.1.1 x", ""},
        {421, "4.4.2 bye", "4.4.2"},
        {250, "Ok", ""},
        {250, "", ""},
        {250, "2.0.0,x", ""},
        {250, ".0.0 x", ""},
    };
    for (const auto& c : table) {
        const std::string got(leading_enhanced_code(c.code, c.text));
        EXPECT_EQ(got, c.want) << c.code << " " << c.text << ": got " << got << ", want " << c.want;
    }
}

}  // namespace
}  // namespace sluice::daemon::delivery
