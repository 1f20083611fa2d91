#include "daemon/smtp/reply.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::daemon::smtp {
namespace {

Reply multi_line(int code, std::string enhanced, std::vector<std::string> lines) {
    Reply reply;
    reply.code = code;
    reply.enhanced = std::move(enhanced);
    reply.lines = std::move(lines);
    return reply;
}

TEST(Reply, ToWire) {
    struct Case {
        Reply input;
        std::string want;
    };
    const std::vector<Case> cases = {
        {{250, "2.0.0", "Ok"}, "250 2.0.0 Ok\r\n"},
        {{220, "", "mx.example ESMTP Sluice"}, "220 mx.example ESMTP Sluice\r\n"},
        {{501, "5.5.4", "Syntax: MAIL FROM:<address>"},
         "501 5.5.4 Syntax: MAIL FROM:<address>\r\n"},
        {multi_line(250, "", {"mx.example", "PIPELINING", "CHUNKING"}),
         "250-mx.example\r\n250-PIPELINING\r\n250 CHUNKING\r\n"},
        {multi_line(250, "2.0.0", {"a", "b"}), "250-2.0.0 a\r\n250 2.0.0 b\r\n"},
        {multi_line(421, "4.7.0", {}), "421 4.7.0\r\n"},
        {multi_line(250, "", {""}), "250 \r\n"},
        // A text can never smuggle a line break (and with it a forged reply) onto the wire.
        {{550, "5.7.1", "bad\r\n250 ok"}, "550 5.7.1 bad  250 ok\r\n"},
        {{550, "5.7.1", "a\rb\nc"}, "550 5.7.1 a b c\r\n"},
        {{550, "5.7.1", std::string("nul\0here", 8)}, "550 5.7.1 nul here\r\n"},
        {multi_line(250, "", {"x\r\n250 y", "z"}), "250-x  250 y\r\n250 z\r\n"},
        {{250, "2.0.0\r\n", "Ok"}, "250 2.0.0   Ok\r\n"},
    };
    for (const Case& c : cases) {
        std::string got = c.input.to_wire();
        EXPECT_EQ(got, c.want) << "got " << testing::PrintToString(got) << ", want "
                               << testing::PrintToString(c.want);
    }
}

TEST(Reply, Summary) {
    struct Case {
        Reply input;
        std::string want;
    };
    const std::vector<Case> cases = {
        {{250, "2.0.0", "Ok"}, "250 2.0.0 Ok"},
        {{220, "", "hi"}, "220 hi"},
        {multi_line(250, "", {"mx.example", "PIPELINING"}), "250 mx.example / PIPELINING"},
        {{451, "4.3.0", "a\r\nb"}, "451 4.3.0 a  b"},
    };
    for (const Case& c : cases) {
        std::string got = c.input.summary();
        EXPECT_EQ(got, c.want) << "got " << got << ", want " << c.want;
    }
}

TEST(Reply, Positive) {
    EXPECT_TRUE(Reply(250, "2.0.0", "Ok").positive());
    EXPECT_TRUE(Reply(354, "", "go on").positive());
    EXPECT_FALSE(Reply(421, "4.4.2", "timeout").positive());
    EXPECT_FALSE(Reply(550, "5.7.1", "no").positive());
}

}  // namespace
}  // namespace sluice::daemon::smtp
