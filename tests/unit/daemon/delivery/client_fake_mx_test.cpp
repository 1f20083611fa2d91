// The delivery client against scripted broken and hostile servers (fake_mx.hpp), case by case:
// replies that do not answer their command, too many and too few replies, replies split and
// merged, every status class and a dropped or reset connection at every stage, TLS that fails,
// SIZE, 8BITMIME and "too many recipients". After every case the invariant of
// delivery_invariant.hpp is checked against what the server meant; a failed case prints its
// byte-exact transcript and keeps it in a file.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client_test_support.hpp"
#include "daemon/delivery/client_connection.hpp"
#include "daemon/delivery/outbound_tls.hpp"
#include "fake_mx.hpp"

namespace sluice::daemon::delivery {
namespace {

using namespace std::chrono_literals;
using testing::ehlo_reply;
using namespace testing;

const std::string kBody = "Subject: fake mx\r\n\r\nbody\r\n";

using Steps = std::vector<FakeMxStep>;

Steps operator+(Steps a, const Steps& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

Steps hello(const std::vector<std::string>& extensions = {"ENHANCEDSTATUSCODES"}) {
    return {answer("220 mx.test ESMTP\r\n"), said(), answer(ehlo_reply(extensions))};
}
const std::vector<std::string> kPipelining = {"PIPELINING", "ENHANCEDSTATUSCODES"};

// MAIL, `n` RCPTs, DATA, content, each answered in turn with these codes (lockstep).
Steps lockstep(int n, const std::string& final_reply = "250 2.0.0 queued\r\n") {
    Steps steps = {said(), answer("250 2.1.0 ok\r\n")};
    for (int i = 0; i < n; ++i) steps = steps + Steps{said(), answer("250 2.1.5 ok\r\n")};
    return steps + Steps{said(), answer("354 go\r\n"), content(), answer(final_reply)};
}

Steps answer_quit() {
    return {said(), answer("221 2.0.0 bye\r\n")};
}

// "delivered 250 | deferred *451 4.5.0": outcome, "*" when synthetic, code, enhanced code.
std::string brief(const std::vector<RecipientResult>& results) {
    std::string out;
    for (const auto& result : results) {
        if (!out.empty()) out += " | ";
        out += std::string(to_string(result.outcome)) + (result.synthetic ? " *" : " ") +
               std::to_string(result.reply.code);
        if (!result.reply.enhanced.empty()) out += " " + result.reply.enhanced;
    }
    return out;
}

std::string brief(const OpenResult& opened) {
    return std::string("open failed ") + (opened.synthetic ? "*" : "") +
           std::to_string(opened.reply.code) +
           (opened.reply.enhanced.empty() ? "" : " " + opened.reply.enhanced);
}

struct Case {
    std::string name;
    Steps script;
    std::string want;  // brief() of the results, or of the failed open
    std::vector<std::string> recipients = {"a@b.test", "c@b.test"};
    bool eight_bit = false;
    std::string content = kBody;
};

// The same brief result for each of `n` recipients.
std::string all(const std::string& one, std::size_t n = 2) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += (i ? " | " : "") + one;
    return out;
}

class ClientFakeMxTest : public ClientTest {
  protected:
    ClientFakeMxTest() : ClientTest("mx.test") {
        // Short enough that a case where client and server both wait ends quickly.
        settings_.greeting_timeout = 1s;
        settings_.command_timeout = 1s;
        settings_.data_init_timeout = 1s;
        settings_.data_block_timeout = 1s;
        settings_.data_done_timeout = 1s;
    }

    void run(const Case& c) {
        SCOPED_TRACE(c.name);
        FakeMx mx(c.script);
        std::string got;
        std::vector<std::string> delivered;
        auto opened = open(mx.endpoint());
        if (!opened.connection) {
            got = brief(opened);
        } else {
            OutboundMessage message{"s@a.test", c.recipients, c.eight_bit, false, c.content};
            const auto results = send(*opened.connection, message);
            got = brief(results);
            for (std::size_t i = 0; i < results.size(); ++i) {
                if (results[i].outcome == RecipientOutcome::delivered) {
                    delivered.push_back(c.recipients[i]);
                }
            }
            quit(*opened.connection);
        }
        const std::string violation = invariant_violation(mx.exchanges(), delivered);
        const bool failed = got != c.want || !violation.empty();
        EXPECT_EQ(got, c.want) << "got " << got << ", want " << c.want;
        EXPECT_EQ(violation, "");
        if (failed) {
            ADD_FAILURE() << "transcript (kept in " << mx.keep_transcript(c.name) << "):\n"
                          << mx.transcript();
        }
    }
};

// Items 1 and 2 of the delivery-client issue: replies that cannot answer their command, and
// servers that say more (or less) than they were asked.
TEST_F(ClientFakeMxTest, RepliesOutOfStepDeferEveryRecipient) {
    const std::string out_of_step = all("deferred *451 4.5.0");
    const std::vector<Case> cases = {
        {"data_answered_250_lockstep",
         hello() + Steps{said(), answer("250 2.1.0 ok\r\n"), said(), answer("250 2.1.5 ok\r\n"),
                         said(), answer("250 2.1.5 ok\r\n"), said(), answer("250 2.0.0 ok\r\n")},
         out_of_step},
        {"data_answered_250_pipelined",
         hello(kPipelining) + Steps{said(), said(), said(), said(),
                                    answer("250 ok\r\n250 ok\r\n250 ok\r\n250 2.0.0 ok\r\n")},
         out_of_step},
        {"data_answered_221",
         hello() + Steps{said(), answer("250 ok\r\n"), said(), answer("250 ok\r\n"), said(),
                         answer("250 ok\r\n"), said(), answer("221 bye\r\n")},
         out_of_step},
        {"data_answered_251",
         hello() + Steps{said(), answer("250 ok\r\n"), said(), answer("250 ok\r\n"), said(),
                         answer("250 ok\r\n"), said(), answer("251 ok\r\n")},
         out_of_step},
        {"extra_line_after_ehlo_in_the_same_packet",
         Steps{answer("220 mx.test ESMTP\r\n"), said(),
               answer(ehlo_reply(kPipelining) + "250 one too many\r\n"), said()},
         out_of_step},
        {"extra_line_after_ehlo_a_moment_later",
         Steps{answer("220 mx.test ESMTP\r\n"), said(), answer(ehlo_reply({})), pause(100ms),
               answer("250 one too many\r\n")} +
             lockstep(2) + answer_quit(),
         out_of_step},
        {"two_greetings", Steps{answer("220 mx.test ESMTP\r\n220 mx.test again\r\n"), said()},
         "open failed *451 4.5.0"},
        {"extra_reply_after_rcpt_lockstep",
         hello() + Steps{said(), answer("250 ok\r\n"), said(),
                         answer("550 5.1.1 no\r\n250 2.1.5 extra\r\n"), said()},
         out_of_step},
        {"extra_reply_after_rcpt_pipelined",
         hello(kPipelining) +
             Steps{said(), said(), said(), said(),
                   answer("250 ok\r\n250 ok\r\n550 5.1.1 extra\r\n250 ok\r\n354 go\r\n"), content(),
                   answer("250 2.0.0 queued\r\n")},
         out_of_step},
        {"extra_reply_after_354",
         hello(kPipelining) + Steps{said(), said(), said(), said(),
                                    answer("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 early\r\n"),
                                    content(), answer("250 2.0.0 queued\r\n")},
         out_of_step},
        {"one_reply_missing_in_a_pipelined_group",
         hello(kPipelining) + Steps{said(), said(), said(), said(),
                                    answer("250 ok\r\n250 ok\r\n354 go\r\n"), content(),
                                    answer("250 2.0.0 queued\r\n")},
         out_of_step},
        {"rcpt_answered_354",
         hello() + Steps{said(), answer("250 ok\r\n"), said(), answer("354 go\r\n"), said()},
         out_of_step},
        {"mail_answered_220", hello() + Steps{said(), answer("220 mx.test ESMTP\r\n"), said()},
         out_of_step},
        {"ehlo_answered_220",
         Steps{answer("220 mx.test ESMTP\r\n"), said(), answer("220 mx.test ESMTP\r\n"), said()},
         "open failed *451 4.5.0"},
        {"multi_line_reply_whose_codes_disagree",
         hello() +
             Steps{said(), answer("250 ok\r\n"), said(), answer("250-ok\r\n550 no\r\n"), said()},
         out_of_step},
        {"reply_without_a_code",
         hello() + Steps{said(), answer("250 ok\r\n"), said(), answer("ok\r\n"), said()},
         out_of_step},
    };
    for (const auto& c : cases) run(c);
}

// What must keep working: replies cut anywhere or merged, and the ordinary refusals.
TEST_F(ClientFakeMxTest, RepliesSplitOrMergedAreReadExactly) {
    const std::vector<Case> cases = {
        {"reply_split_inside_its_code",
         hello() +
             Steps{said(), answer("25"), pause(50ms), answer("0 2.1.0 ok\r\n"), said(),
                   answer("250 2.1.5 ok\r"), pause(50ms), answer("\n"), said(),
                   answer("250 ok\r\n"), said(), answer("354 go\r\n"), content(),
                   answer("250 2.0.0 queued\r\n")} +
             answer_quit(),
         all("delivered 250 2.0.0")},
        {"multi_line_reply_in_pieces",
         hello() +
             Steps{said(), answer("250-first\r\n"), pause(30ms), answer("250-second\r\n"),
                   pause(30ms), answer("250 2.1.0 last\r\n")} +
             Steps{said(), answer("250 ok\r\n"), said(), answer("250 ok\r\n"), said(),
                   answer("354 go\r\n"), content(), answer("250 2.0.0 queued\r\n")} +
             answer_quit(),
         all("delivered 250 2.0.0")},
        {"pipelined_replies_in_one_packet",
         hello(kPipelining) +
             Steps{said(), said(), said(), said(),
                   answer("250 ok\r\n550 5.1.1 unknown\r\n250 ok\r\n354 go\r\n"), content(),
                   answer("250 2.0.0 queued\r\n")} +
             answer_quit(),
         "bounced 550 5.1.1 | delivered 250 2.0.0"},
        {"pipelined_replies_one_by_one",
         hello(kPipelining) +
             Steps{said(), answer("250 ok\r\n"), said(), answer("450 4.2.0 busy\r\n"), said(),
                   answer("250 ok\r\n"), said(), answer("354 go\r\n"), content(),
                   answer("250 2.0.0 queued\r\n")} +
             answer_quit(),
         "deferred 450 4.2.0 | delivered 250 2.0.0"},
        {"quit_answered_500", hello() + lockstep(2) + Steps{said(), answer("500 what\r\n")},
         all("delivered 250 2.0.0")},
        {"garbage_after_221", hello() + lockstep(2) + Steps{said(), answer("221 bye\r\nxx\r\n")},
         all("delivered 250 2.0.0")},
    };
    for (const auto& c : cases) run(c);
}

// Every status class at every stage, lockstep and pipelined.
TEST_F(ClientFakeMxTest, EveryStatusClassAtEveryStage) {
    const std::vector<Case> cases = {
        {"greeting_421", Steps{answer("421 4.3.2 busy\r\n")}, "open failed 421 4.3.2"},
        {"greeting_554", Steps{answer("554 5.7.1 go away\r\n")} + answer_quit(),
         "open failed 554 5.7.1"},
        {"ehlo_421", Steps{answer("220 mx.test\r\n"), said(), answer("421 4.3.2 bye\r\n")},
         "open failed 421 4.3.2"},
        {"ehlo_and_helo_550",
         Steps{answer("220 mx.test\r\n"), said(), answer("550 5.7.1 no\r\n"), said(),
               answer("550 5.7.1 still no\r\n")} +
             answer_quit(),
         "open failed 550 5.7.1"},
        {"ehlo_502_helo_250",
         Steps{answer("220 mx.test\r\n"), said(), answer("502 5.5.1 what\r\n"), said(),
               answer("250 mx.test\r\n")} +
             lockstep(2) + answer_quit(),
         all("delivered 250 2.0.0")},
        {"mail_451", hello() + Steps{said(), answer("451 4.3.0 later\r\n")} + answer_quit(),
         all("deferred 451 4.3.0")},
        {"mail_553", hello() + Steps{said(), answer("553 5.1.8 bad sender\r\n")} + answer_quit(),
         all("bounced 553 5.1.8")},
        {"mail_421", hello() + Steps{said(), answer("421 4.3.2 bye\r\n")},
         all("deferred 421 4.3.2")},
        {"rcpt_421",
         hello() + Steps{said(), answer("250 ok\r\n"), said(), answer("421 4.3.2 bye\r\n")},
         all("deferred 421 4.3.2")},
        {"rcpt_450_and_550_no_data",
         hello() +
             Steps{said(), answer("250 ok\r\n"), said(), answer("450 4.2.1 later\r\n"), said(),
                   answer("550 5.1.1 unknown\r\n"), said(), answer("250 reset\r\n")} +
             answer_quit(),
         "deferred 450 4.2.1 | bounced 550 5.1.1"},
        {"data_451",
         hello() +
             Steps{said(), answer("250 ok\r\n"), said(), answer("250 ok\r\n"), said(),
                   answer("250 ok\r\n"), said(), answer("451 4.3.0 later\r\n"), said(),
                   answer("250 reset\r\n")} +
             answer_quit(),
         all("deferred 451 4.3.0")},
        {"data_554",
         hello() +
             Steps{said(), answer("250 ok\r\n"), said(), answer("550 5.1.1 unknown\r\n"), said(),
                   answer("250 ok\r\n"), said(), answer("554 5.5.1 no\r\n"), said(),
                   answer("250 reset\r\n")} +
             answer_quit(),
         "bounced 550 5.1.1 | bounced 554 5.5.1"},
        {"data_421",
         hello() + Steps{said(), answer("250 ok\r\n"), said(), answer("250 ok\r\n"), said(),
                         answer("250 ok\r\n"), said(), answer("421 4.3.2 bye\r\n")},
         all("deferred 421 4.3.2")},
        {"end_of_data_452", hello() + lockstep(2, "452 4.3.1 full\r\n") + answer_quit(),
         all("deferred 452 4.3.1")},
        {"end_of_data_554", hello() + lockstep(2, "554 5.7.1 spam\r\n") + answer_quit(),
         all("bounced 554 5.7.1")},
        {"end_of_data_421", hello() + lockstep(2, "421 4.3.2 bye\r\n"), all("deferred 421 4.3.2")},
        {"pipelined_mail_550",
         hello(kPipelining) +
             Steps{said(), said(), said(), said(),
                   answer("550 5.7.1 no\r\n503 5.5.1 no mail\r\n503 5.5.1 no "
                          "mail\r\n503 5.5.1 no mail\r\n")} +
             answer_quit(),
         all("bounced 550 5.7.1")},
        {"pipelined_all_rcpt_refused_data_354",
         hello(kPipelining) +
             Steps{said(), said(), said(), said(),
                   answer("250 ok\r\n550 5.1.1 no\r\n550 5.1.1 no\r\n354 go\r\n"), said(),
                   answer("554 5.5.1 no valid recipients\r\n")} +
             answer_quit(),
         all("bounced 550 5.1.1")},
    };
    for (const auto& c : cases) run(c);
}

// A dropped connection (orderly close, or a TCP reset) at every stage: nothing is delivered,
// except after the final dot, where the message may have been (RFC 1047).
TEST_F(ClientFakeMxTest, ConnectionEndsAtEveryStage) {
    std::vector<Case> cases;
    for (const bool reset : {false, true}) {
        const FakeMxStep end = reset ? reset_connection() : hang_up();
        const std::string how = reset ? "reset" : "closed";
        cases.push_back({how + "_before_the_greeting", {end}, "open failed *451 4.4.2"});
        cases.push_back(
            {how + "_after_ehlo", {answer("220 mx\r\n"), said(), end}, "open failed *451 4.4.2"});
        cases.push_back(
            {how + "_after_mail", hello() + Steps{said(), end}, all("deferred *451 4.4.2")});
        cases.push_back({how + "_after_rcpt",
                         hello() + Steps{said(), answer("250 ok\r\n"), said(), end},
                         all("deferred *451 4.4.2")});
        cases.push_back({how + "_after_data",
                         hello() + Steps{said(), answer("250 ok\r\n"), said(), answer("250 ok\r\n"),
                                         said(), answer("250 ok\r\n"), said(), end},
                         all("deferred *451 4.4.2")});
        cases.push_back(
            {how + "_after_the_final_dot",
             hello() + Steps{said(), answer("250 ok\r\n"), said(), answer("250 ok\r\n"), said(),
                             answer("250 ok\r\n"), said(), answer("354 go\r\n"), content(), end},
             all("possibly delivered *451 4.4.2")});
    }
    for (const auto& c : cases) run(c);
}

// Items 4, 5 and 7: SIZE, 8BITMIME and "too many recipients".
TEST_F(ClientFakeMxTest, ServerLimitsAndExtensions) {
    const std::vector<Case> cases = {
        {"larger_than_the_size_limit_is_not_sent",
         hello({"SIZE 10", "ENHANCEDSTATUSCODES"}) + answer_quit(), all("bounced *552 5.3.4")},
        {"size_without_a_limit_is_sent",
         hello({"SIZE", "ENHANCEDSTATUSCODES"}) + lockstep(2) + answer_quit(),
         all("delivered 250 2.0.0")},
        {"eight_bit_without_8bitmime_is_not_sent",
         hello() + answer_quit(),
         all("bounced *554 5.6.3"),
         {"a@b.test", "c@b.test"},
         true,
         "Subject: caf\xc3\xa9\r\n\r\nbody\r\n"},
        {"eight_bit_with_8bitmime_is_sent",
         hello({"8BITMIME", "ENHANCEDSTATUSCODES"}) + lockstep(2) + answer_quit(),
         all("delivered 250 2.0.0"),
         {"a@b.test", "c@b.test"},
         true,
         "Subject: caf\xc3\xa9\r\n\r\nbody\r\n"},
        {"too_many_recipients_pipelined_go_in_a_new_transaction",
         hello(kPipelining) +
             Steps{said(), said(), said(), said(), said(),
                   answer("250 ok\r\n250 ok\r\n452 4.5.3 too many\r\n452 4.5.3 too many\r\n"
                          "354 go\r\n"),
                   content(), answer("250 2.0.0 first\r\n"), said(), said(), said(), said(),
                   answer("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"), content(),
                   answer("250 2.0.0 second\r\n")} +
             answer_quit(),
         all("delivered 250 2.0.0", 3),
         {"a@b.test", "c@b.test", "d@b.test"}},
        {"too_many_recipients_lockstep_asks_for_no_more",
         hello() +
             Steps{said(), answer("250 ok\r\n"), said(), answer("250 ok\r\n"), said(),
                   answer("452 4.5.3 too many\r\n"), said(), answer("354 go\r\n"), content(),
                   answer("250 2.0.0 first\r\n")} +
             lockstep(2, "250 2.0.0 second\r\n") + answer_quit(),
         all("delivered 250 2.0.0", 3),
         {"a@b.test", "c@b.test", "d@b.test"}},
        {"too_many_recipients_for_the_first_is_a_deferral",
         hello() +
             Steps{said(), answer("250 ok\r\n"), said(), answer("452 4.5.3 too many\r\n"), said(),
                   answer("452 4.5.3 too many\r\n"), said(), answer("250 reset\r\n")} +
             answer_quit(),
         all("deferred 452 4.5.3")},
    };
    for (const auto& c : cases) run(c);
}

// TLS that cannot be had when it is required: never a message in clear.
TEST_F(ClientFakeMxTest, RequiredTlsFailsAtEveryStage) {
    OutboundTls shared;
    settings_.outbound_tls = &shared;
    settings_.tls = policy::config::DeliveryTls::required;
    const Steps offer = {answer("220 mx.test\r\n"), said(),
                         answer(ehlo_reply({"STARTTLS", "PIPELINING"}))};
    const std::vector<Case> cases = {
        {"starttls_not_offered", hello() + answer_quit(), "open failed *451 4.7.4"},
        {"starttls_refused", offer + Steps{said(), answer("454 4.7.0 not now\r\n")} + answer_quit(),
         "open failed *451 4.7.4"},
        {"starttls_answered_250", offer + Steps{said(), answer("250 ok\r\n"), said()},
         "open failed *451 4.5.0"},
        {"closed_after_220", offer + Steps{said(), answer("220 go\r\n"), hang_up()},
         "open failed *451 4.7.5"},
        {"reset_after_220", offer + Steps{said(), answer("220 go\r\n"), reset_connection()},
         "open failed *451 4.7.5"},
        {"plain_text_instead_of_a_handshake",
         offer + Steps{said(), answer("220 go\r\n"), answer("250 plain text, not TLS\r\n")},
         "open failed *451 4.7.5"},
        {"silence_after_220", offer + Steps{said(), answer("220 go\r\n"), pause(1500ms)},
         "open failed *451 4.7.5"},
    };
    for (const auto& c : cases) run(c);
}

// More replies than commands after a delivered message: that message stands, the next one is
// not sent on this connection.
TEST_F(ClientFakeMxTest, ExtraReplyAfterEndOfDataSpoilsOnlyTheNextTransaction) {
    FakeMx mx(hello() + lockstep(1, "250 2.0.0 queued\r\n250 2.0.0 extra\r\n") + Steps{said()});
    auto opened = open(mx.endpoint());
    ASSERT_TRUE(opened.connection) << brief(opened);
    ClientConnection& connection = *opened.connection;
    const OutboundMessage m{"s@a.test", {"a@b.test"}, false, false, kBody};
    EXPECT_EQ(brief(send(connection, m)), "delivered 250 2.0.0");
    EXPECT_FALSE(reset(connection));
    EXPECT_NE(connection.protocol_error().find("unsolicited input before RSET"), std::string::npos)
        << connection.protocol_error();
    EXPECT_EQ(brief(send(connection, m)), "deferred *451 4.4.2");
    quit(connection);
    EXPECT_EQ(invariant_violation(mx.exchanges(), {"a@b.test"}), "") << mx.transcript();
    EXPECT_EQ(mx.transcript().find("RSET"), std::string::npos) << mx.transcript();
}

TEST_F(ClientFakeMxTest, ResetAnsweredWithTheWrongCodeEndsTheSession) {
    FakeMx mx(hello() + lockstep(1) + Steps{said(), answer("354 go\r\n"), said()});
    auto opened = open(mx.endpoint());
    ASSERT_TRUE(opened.connection) << brief(opened);
    const OutboundMessage m{"s@a.test", {"a@b.test"}, false, false, kBody};
    EXPECT_EQ(brief(send(*opened.connection, m)), "delivered 250 2.0.0");
    EXPECT_FALSE(reset(*opened.connection));
    EXPECT_EQ(opened.connection->protocol_error(), "RSET answered \"354 go\"");
    quit(*opened.connection);
}

// The invariant itself: it must refuse what it is there to refuse.
TEST(DeliveryInvariant, JudgesByWhatTheServerMeant) {
    const ServerExchange greeting{{}, "220 mx\r\n"};
    const auto line = [](std::string text) { return ServerExchange::Said{false, std::move(text)}; };
    const ServerExchange::Said body{true, "x\r\n.\r\n"};
    const ServerExchanges in_step = {greeting,
                                     {{line("MAIL FROM:<s@a>\r\n")}, "250 ok\r\n"},
                                     {{line("RCPT TO:<a@b>\r\n")}, "250 ok\r\n"},
                                     {{line("RCPT TO:<c@b>\r\n")}, "550 no\r\n"},
                                     {{line("DATA\r\n")}, "354 go\r\n"},
                                     {{body}, "250 queued\r\n"}};
    EXPECT_EQ(invariant_violation(in_step, {"a@b"}), "");
    EXPECT_NE(invariant_violation(in_step, {"c@b"}), "");
    ServerExchanges shifted = in_step;
    shifted[2].answer = "250 ok\r\n250 extra\r\n";
    EXPECT_NE(invariant_violation(shifted, {"a@b"}), "");
    ServerExchanges no_content_reply = in_step;
    no_content_reply.back().answer = "";
    EXPECT_NE(invariant_violation(no_content_reply, {"a@b"}), "");
    const ServerExchanges pipelined = {
        greeting,
        {{line("MAIL FROM:<s@a>\r\n"), line("RCPT TO:<a@b>\r\n"), line("DATA\r\n")},
         "250 ok\r\n250 ok\r\n354 go\r\n"},
        {{body}, "250 queued\r\n250 extra\r\n"}};
    EXPECT_EQ(invariant_violation(pipelined, {"a@b"}), "");
}

}  // namespace
}  // namespace sluice::daemon::delivery
