#include "daemon/delivery/send_rules.hpp"

#include <gtest/gtest.h>

#include <string>

#include "daemon/delivery/client_command.hpp"

namespace sluice::daemon::delivery {
namespace {

ServerExtensions extensions(std::vector<std::string> keywords) {
    smtp::Reply ehlo(250, "", "mx.test");
    for (auto& keyword : keywords) ehlo.lines.push_back(keyword);
    return ServerExtensions::from_ehlo(ehlo);
}

std::string refusal(const OutboundMessage& message, const ServerExtensions& offered) {
    const auto result = refusal_before_sending(message, offered, "mx.test");
    return result ? result->reply.summary() : "sent";
}

TEST(SendRules, RefusesWhatTheServerCannotTake) {
    const std::string content = "Subject: x\r\n\r\n0123456789\r\n";  // 26 bytes
    OutboundMessage plain{"s@a.test", {"r@b.test"}, false, false, content};
    EXPECT_EQ(refusal(plain, extensions({"SIZE 26"})), "sent");
    EXPECT_EQ(refusal(plain, extensions({"SIZE 25"})),
              "552 5.3.4 Message size 26 exceeds the fixed maximum message size 25 of mx.test");
    EXPECT_EQ(refusal(plain, extensions({"SIZE"})), "sent");    // no limit announced
    EXPECT_EQ(refusal(plain, extensions({"SIZE 0"})), "sent");  // RFC 1870: 0 = no limit
    EXPECT_EQ(refusal(plain, extensions({})), "sent");          // no SIZE at all

    OutboundMessage eight_bit = plain;
    eight_bit.eight_bit = true;
    EXPECT_EQ(refusal(eight_bit, extensions({"8BITMIME"})), "sent");
    EXPECT_EQ(refusal(eight_bit, extensions({})).substr(0, 9), "554 5.6.3");

    OutboundMessage utf8 = eight_bit;
    utf8.smtputf8 = true;
    EXPECT_EQ(refusal(utf8, extensions({"8BITMIME"})).substr(0, 9), "550 5.6.7");

    OutboundMessage bad_sender = plain;
    bad_sender.sender = "s@a.test>\r\nRCPT TO:<x@y";
    EXPECT_EQ(refusal(bad_sender, extensions({})).substr(0, 9), "553 5.1.7");
}

TEST(SendRules, DeclaredSizeCountsTheFinalLineEnd) {
    EXPECT_EQ(declared_size({"", {}, false, false, "a\r\n"}), 3u);
    EXPECT_EQ(declared_size({"", {}, false, false, "a"}), 3u);
}

TEST(SendRules, TooManyRecipientsByCodeAndEnhancedCode) {
    struct Case {
        smtp::Reply reply;
        bool want;
    };
    const Case cases[] = {
        {{452, "4.5.3", "Too many recipients"}, true},
        {{452, "", "Too many recipients"}, true},
        {{552, "5.5.3", "Too many recipients"}, true},
        {{452, "4.2.2", "Mailbox full"}, false},
        {{452, "4.3.1", "Insufficient system storage"}, false},
        {{552, "5.2.2", "Mailbox full"}, false},
        {{450, "4.5.3", "Too many recipients"}, false},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(is_too_many_recipients(c.reply), c.want) << c.reply.summary();
    }
}

TEST(SendRules, RefusedSessionBecomesADeferralWithTheServersWords) {
    EXPECT_EQ(
        deferral_for_refused_session({554, "5.7.1", "go away"}, "mx.test", "192.0.2.1").summary(),
        "421 4.7.1 mx.test [192.0.2.1] refused the session: 554 5.7.1 go away");
    EXPECT_EQ(deferral_for_refused_session({554, "", "no"}, "mx.test", "192.0.2.1").summary(),
              "421 4.3.2 mx.test [192.0.2.1] refused the session: 554 no");
}

TEST(ClientCommand, WhichRepliesCanAnswerWhichCommand) {
    struct Case {
        ClientCommand command;
        int code;
        bool want;
    };
    const Case cases[] = {
        {ClientCommand::greeting, 220, true},    {ClientCommand::greeting, 250, false},
        {ClientCommand::greeting, 554, true},    {ClientCommand::ehlo, 250, true},
        {ClientCommand::ehlo, 220, false},       {ClientCommand::starttls, 220, true},
        {ClientCommand::starttls, 250, false},   {ClientCommand::mail, 250, true},
        {ClientCommand::mail, 251, false},       {ClientCommand::mail, 354, false},
        {ClientCommand::rcpt, 251, true},        {ClientCommand::rcpt, 354, false},
        {ClientCommand::data, 354, true},        {ClientCommand::data, 250, false},
        {ClientCommand::data, 221, false},       {ClientCommand::data, 451, true},
        {ClientCommand::end_of_data, 250, true}, {ClientCommand::end_of_data, 354, false},
        {ClientCommand::rset, 250, true},        {ClientCommand::rset, 354, false},
        {ClientCommand::quit, 221, true},        {ClientCommand::quit, 500, true},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(can_answer(c.command, c.code), c.want)
            << to_string(c.command) << " answered " << c.code;
    }
}

}  // namespace
}  // namespace sluice::daemon::delivery
