#include "daemon/delivery/server_extensions.hpp"

#include <gtest/gtest.h>

namespace sluice::daemon::delivery {
namespace {

smtp::Reply ehlo(std::vector<std::string> lines) {
    smtp::Reply reply;
    reply.code = 250;
    reply.lines = std::move(lines);
    return reply;
}

TEST(ServerExtensions, KeywordsAreCaseInsensitiveAndSkipTheGreetingLine) {
    const auto extensions = ServerExtensions::from_ehlo(
        ehlo({"mx.example says PIPELINING", "pipelining", "8BITMIME", "Size 35882577",
              "ENHANCEDSTATUSCODES", "AUTH PLAIN LOGIN", "STARTTLS", ""}));
    struct Case {
        std::string keyword;
        bool want;
    };
    const std::vector<Case> table = {
        {"PIPELINING", true}, {"8bitmime", true},    {"SIZE", true},
        {"STARTTLS", true},   {"AUTH", true},        {"SMTPUTF8", false},
        {"CHUNKING", false},  {"MX.EXAMPLE", false}, {"", false},
    };
    for (const Case& c : table) {
        EXPECT_EQ(extensions.supports(c.keyword), c.want)
            << c.keyword << ": got " << !c.want << ", want " << c.want;
    }
    EXPECT_EQ(extensions.size_limit(), 35882577u);
}

TEST(ServerExtensions, SizeLimit) {
    struct Case {
        std::string line;
        std::optional<std::uint64_t> want;
    };
    const std::vector<Case> table = {
        {"SIZE", std::nullopt},
        {"SIZE 0", std::nullopt},
        {"SIZE 1000", 1000},
        {"SIZE x", std::nullopt},
        {"SIZE 99999999999999999999", std::nullopt},
    };
    for (const Case& c : table) {
        const auto got = ServerExtensions::from_ehlo(ehlo({"mx", c.line})).size_limit();
        EXPECT_EQ(got, c.want) << c.line << ": got " << got.value_or(0) << ", want "
                               << c.want.value_or(0);
    }
}

TEST(ServerExtensions, NoneAfterAOneLineReply) {
    const auto extensions = ServerExtensions::from_ehlo(ehlo({"mx.example PIPELINING"}));
    EXPECT_FALSE(extensions.supports("PIPELINING"));
}

}  // namespace
}  // namespace sluice::daemon::delivery
