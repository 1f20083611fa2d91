#include "daemon/delivery/client_connection.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client_test_support.hpp"
#include "daemon/delivery/dot_stuffer.hpp"
#include "daemon/delivery/errc.hpp"
#include "scripted_server.hpp"

namespace sluice::daemon::delivery {
namespace {

using namespace std::chrono_literals;
using testing::ehlo_reply;
using testing::ScriptedPeer;
using testing::ScriptedServer;

const std::string kContent = "Subject: test\r\n\r\nline one\r\n.leading dot\r\n.\r\nlast\r\n";

// Greets, answers EHLO with `extensions`.
void greet(ScriptedPeer& peer, const std::vector<std::string>& extensions) {
    peer.send("220 mx.test ESMTP\r\n");
    peer.read_line();
    peer.send(ehlo_reply(extensions));
}

// Answers a pipelined MAIL, `recipients` RCPTs and DATA with 250s and 354, takes the message
// data and answers `final_reply`; returns the data as received.
std::string accept_pipelined(ScriptedPeer& peer, int recipients,
                             const std::string& final_reply = "250 Ok\r\n") {
    for (int i = 0; i < recipients + 2; ++i) peer.read_line();
    std::string replies;
    for (int i = 0; i < recipients + 1; ++i) replies += "250 Ok\r\n";
    peer.send(replies + "354 go\r\n");
    std::string data = peer.read_data();
    peer.send(final_reply);
    return data;
}

// Lockstep: reads one command (or, after a 354, the message data) per reply and answers it.
void answer_in_turn(ScriptedPeer& peer, const std::vector<std::string>& replies) {
    bool data = false;
    for (const auto& reply : replies) {
        if (data) {
            peer.read_data();
        } else {
            peer.read_line();
        }
        peer.send(reply + "\r\n");
        data = reply.starts_with("354");
    }
}

// Answers QUIT if it comes.
void answer_quit(ScriptedPeer& peer) {
    if (peer.read_line() == "QUIT\r\n") peer.send("221 2.0.0 Bye\r\n");
}

class ClientConnectionTest : public testing::ClientTest {
  protected:
    ClientConnectionTest() : ClientTest("mx.test") {}

    static OutboundMessage message(std::vector<std::string> recipients,
                                   std::string_view content = kContent) {
        return {"sender@a.test", std::move(recipients), false, false, content};
    }
};

TEST_F(ClientConnectionTest, PipelinedTransactionGivesEachRecipientItsReply) {
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {"PIPELINING", "SIZE 1000000", "8BITMIME", "ENHANCEDSTATUSCODES"});
        // Every command up to DATA arrives before any reply: that is what pipelining means.
        for (int i = 0; i < 6; ++i) peer.read_line();
        peer.send(
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n450 4.2.0 busy\r\n550 5.1.1 unknown\r\n"
            "250 2.1.5 Ok\r\n354 go ahead\r\n");
        peer.read_data();
        peer.send("250 2.0.0 queued as X\r\n");
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error) << opened.error.message() << ": " << opened.reply.summary();
    ClientConnection& connection = *opened.connection;
    EXPECT_TRUE(connection.supports("pipelining"));
    EXPECT_FALSE(connection.supports("SMTPUTF8"));
    auto m = message({"a@b.test", "c@b.test", "d@b.test", "e@b.test"});
    m.eight_bit = true;
    EXPECT_DESCRIBED(send(connection, m),
                     "delivered 250 2.0.0 queued as X | deferred 450 4.2.0 busy | "
                     "bounced 550 5.1.1 unknown | delivered 250 2.0.0 queued as X");
    EXPECT_TRUE(connection.usable());
    quit(connection);
    EXPECT_FALSE(connection.usable());
    const std::string want =
        "EHLO client.test\r\n"
        "MAIL FROM:<sender@a.test> SIZE=" +
        std::to_string(kContent.size()) +
        " BODY=8BITMIME\r\n"
        "RCPT TO:<a@b.test>\r\nRCPT TO:<c@b.test>\r\nRCPT TO:<d@b.test>\r\n"
        "RCPT TO:<e@b.test>\r\nDATA\r\n" +
        dot_stuff(kContent) + "QUIT\r\n";
    EXPECT_EQ(server.transcript(), want);
    EXPECT_NE(server.transcript().find("\r\n..leading dot\r\n..\r\nlast\r\n.\r\n"),
              std::string::npos);
}

TEST_F(ClientConnectionTest, WithoutPipeliningEachCommandWaitsForItsReply) {
    bool early = false;
    ScriptedServer server([&early](ScriptedPeer& peer) {
        greet(peer, {"SIZE", "ENHANCEDSTATUSCODES"});
        auto answer = [&](const std::string& reply) {
            peer.read_line();
            if (!peer.quiet_for(100ms)) early = true;
            peer.send(reply);
        };
        answer("250 2.1.0 Ok\r\n");
        answer("550 5.1.1 no such user\r\n");
        answer("250 2.1.5 Ok\r\n");
        answer("354 go ahead\r\n");
        peer.read_data();
        peer.send("250 2.0.0 Ok\r\n");
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error) << opened.reply.summary();
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b.test", "y@b.test"})),
                     "bounced 550 5.1.1 no such user | delivered 250 2.0.0 Ok");
    quit(*opened.connection);
    EXPECT_FALSE(early) << "a command was sent before the previous reply";
    // SIZE offered without a number still gets SIZE=; no 8BITMIME for 7-bit content.
    EXPECT_EQ(server.transcript(), "EHLO client.test\r\nMAIL FROM:<sender@a.test> SIZE=" +
                                       std::to_string(kContent.size()) +
                                       "\r\nRCPT TO:<x@b.test>\r\nRCPT TO:<y@b.test>\r\nDATA\r\n" +
                                       dot_stuff(kContent) + "QUIT\r\n");
}

// RFC 3461 §5.2.1: the DSN parameters go on to a server that offers DSN, as they came, and
// never to one that does not.
TEST_F(ClientConnectionTest, DsnParametersGoOnlyToAServerThatOffersDsn) {
    for (const bool offered : {true, false}) {
        ScriptedServer server([offered](ScriptedPeer& peer) {
            if (offered) {
                greet(peer, {"DSN", "ENHANCEDSTATUSCODES"});
            } else {
                greet(peer, {"ENHANCEDSTATUSCODES"});
            }
            for (const char* reply :
                 {"250 2.1.0 Ok\r\n", "250 2.1.5 Ok\r\n", "250 2.1.5 Ok\r\n", "354 go ahead\r\n"}) {
                peer.read_line();
                peer.send(reply);
            }
            peer.read_data();
            peer.send("250 2.0.0 Ok\r\n");
            answer_quit(peer);
        });
        auto opened = open(server.endpoint());
        ASSERT_FALSE(opened.error) << opened.reply.summary();
        auto m = message({"x@b.test", "y@b.test"});
        m.dsn_mail_params = "RET=HDRS ENVID=Q+2B1";
        m.dsn_rcpt_params = {"NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x+2Bt@b.test", ""};
        EXPECT_DESCRIBED(send(*opened.connection, m),
                         "delivered 250 2.0.0 Ok | delivered 250 2.0.0 Ok");
        quit(*opened.connection);
        const std::string want =
            offered ? "EHLO client.test\r\nMAIL FROM:<sender@a.test> RET=HDRS ENVID=Q+2B1\r\n"
                      "RCPT TO:<x@b.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x+2Bt@b.test\r\n"
                      "RCPT TO:<y@b.test>\r\nDATA\r\n"
                    : "EHLO client.test\r\nMAIL FROM:<sender@a.test>\r\n"
                      "RCPT TO:<x@b.test>\r\nRCPT TO:<y@b.test>\r\nDATA\r\n";
        EXPECT_EQ(server.transcript(), want + dot_stuff(kContent) + "QUIT\r\n")
            << (offered ? "DSN offered" : "DSN not offered");
    }
}

TEST_F(ClientConnectionTest, Greeting421RefusesTheConnection) {
    ScriptedServer server([](ScriptedPeer& peer) { peer.send("421 4.3.2 mx.test busy\r\n"); });
    auto opened = open(server.endpoint());
    EXPECT_EQ(opened.error, errc::greeting_refused);
    EXPECT_EQ(opened.reply.summary(), "421 4.3.2 mx.test busy");
    EXPECT_FALSE(opened.synthetic);
    EXPECT_FALSE(opened.connection);
    EXPECT_EQ(server.transcript(), "");
}

TEST_F(ClientConnectionTest, Greeting554IsAnsweredWithQuit) {
    ScriptedServer server([](ScriptedPeer& peer) {
        peer.send("554 5.7.1 go away\r\n");
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    EXPECT_EQ(opened.error, errc::greeting_refused);
    EXPECT_EQ(opened.reply.summary(), "554 5.7.1 go away");
    EXPECT_EQ(server.transcript(), "QUIT\r\n");
}

TEST_F(ClientConnectionTest, EhloRefusedFallsBackToHelo) {
    ScriptedServer server([](ScriptedPeer& peer) {
        peer.send("220 mx.test\r\n");
        answer_in_turn(peer, {"502 5.5.2 Error: command not recognized", "250 mx.test", "250 Ok",
                              "250 Ok", "354 go", "250 Ok"});
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error) << opened.reply.summary();
    EXPECT_FALSE(opened.connection->supports("PIPELINING"));
    EXPECT_FALSE(opened.connection->supports("SIZE"));
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b.test"})), "delivered 250 Ok");
    quit(*opened.connection);
    EXPECT_EQ(server.transcript(),
              "EHLO client.test\r\nHELO client.test\r\nMAIL FROM:<sender@a.test>\r\n"
              "RCPT TO:<x@b.test>\r\nDATA\r\n" +
                  dot_stuff(kContent) + "QUIT\r\n");
}

TEST_F(ClientConnectionTest, EhloAndHeloRefusedFailsTheOpen) {
    ScriptedServer server([](ScriptedPeer& peer) {
        peer.send("220 mx.test\r\n");
        answer_in_turn(peer, {"500 5.5.1 no", "550 5.7.1 not you"});
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    EXPECT_EQ(opened.error, errc::hello_refused);
    EXPECT_EQ(opened.reply.summary(), "550 5.7.1 not you");
    EXPECT_FALSE(opened.synthetic);
    EXPECT_EQ(server.transcript(), "EHLO client.test\r\nHELO client.test\r\nQUIT\r\n");
}

TEST_F(ClientConnectionTest, ConnectionDroppedAfterFinalDotIsPossiblyDelivered) {
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {"PIPELINING", "ENHANCEDSTATUSCODES"});
        for (int i = 0; i < 4; ++i) peer.read_line();
        peer.send("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 unknown\r\n354 go\r\n");
        peer.read_data();  // then the connection closes without a reply
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b.test", "y@b.test"})),
                     "possibly delivered *451 4.4.2 Connection lost after end of data with "
                     "mx.test | bounced 550 5.1.1 unknown");
    EXPECT_FALSE(opened.connection->usable());
}

TEST_F(ClientConnectionTest, ConnectionDroppedBeforeFinalDotDefers) {
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {"ENHANCEDSTATUSCODES"});
        answer_in_turn(peer, {"250 2.1.0 Ok", "250 2.1.5 Ok"});
        peer.read_line();  // the second RCPT; the connection closes
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b.test", "y@b.test"})),
                     "deferred *451 4.4.2 Connection lost after RCPT TO with mx.test | "
                     "deferred *451 4.4.2 Connection lost after RCPT TO with mx.test");
    EXPECT_FALSE(opened.connection->usable());
    EXPECT_DESCRIBED(send(*opened.connection, message({"z@b.test"})),
                     "deferred *451 4.4.2 Connection not usable");
}

TEST_F(ClientConnectionTest, SilentServerTimesOutWaitingForTheGreeting) {
    settings_.greeting_timeout = 200ms;
    ScriptedServer server([](ScriptedPeer& peer) { peer.wait_for_close(); });
    const auto started = std::chrono::steady_clock::now();
    auto opened = open(server.endpoint());
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
    EXPECT_EQ(opened.error, errc::timed_out);
    EXPECT_TRUE(opened.synthetic);
    EXPECT_EQ(opened.reply.summary(),
              "451 4.4.2 Timed out while waiting for the greeting with mx.test");
}

TEST_F(ClientConnectionTest, NoReplyAfterFinalDotTimesOutAsPossiblyDelivered) {
    settings_.data_done_timeout = 300ms;
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {"PIPELINING"});
        for (int i = 0; i < 3; ++i) peer.read_line();
        peer.send("250 Ok\r\n250 Ok\r\n354 go\r\n");
        peer.read_data();
        peer.wait_for_close();
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b.test"})),
                     "possibly delivered *451 4.4.2 Timed out after end of data with mx.test");
}

TEST_F(ClientConnectionTest, SilenceAfterRcptTimesOutAndDefers) {
    settings_.command_timeout = 200ms;
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {});
        answer_in_turn(peer, {"250 Ok"});
        peer.wait_for_close();
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b.test"})),
                     "deferred *451 4.4.2 Timed out after RCPT TO with mx.test");
}

TEST_F(ClientConnectionTest, EndlessMultiLineReplyIsAnError) {
    ScriptedServer server([](ScriptedPeer& peer) {
        for (int i = 0; i < 1000; ++i) peer.send("220-mx.test still greeting you\r\n");
        peer.wait_for_close();
    });
    auto opened = open(server.endpoint());
    EXPECT_EQ(opened.error, errc::reply_too_long);
    EXPECT_TRUE(opened.synthetic);
    EXPECT_EQ(opened.reply.summary(),
              "451 4.5.0 Protocol error while waiting for the greeting with mx.test: reply too "
              "long; session closed");
}

TEST_F(ClientConnectionTest, MalformedReplyMakesTheConnectionUnusable) {
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {});
        answer_in_turn(peer, {"OK"});
        peer.wait_for_close();
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b.test"})),
                     "deferred *451 4.5.0 Protocol error after MAIL FROM with mx.test: malformed "
                     "reply from the server; session closed");
    EXPECT_FALSE(opened.connection->usable());
}

TEST_F(ClientConnectionTest, PipelinedMailRefusalBouncesEveryRecipient) {
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {"PIPELINING", "ENHANCEDSTATUSCODES"});
        for (int i = 0; i < 4; ++i) peer.read_line();
        peer.send(
            "550 5.7.1 sender rejected\r\n503 5.5.1 need MAIL\r\n503 5.5.1 need MAIL\r\n"
            "503 5.5.1 need MAIL\r\n");
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b.test", "y@b.test"})),
                     "bounced 550 5.7.1 sender rejected | bounced 550 5.7.1 sender rejected");
    EXPECT_TRUE(opened.connection->usable());
    quit(*opened.connection);
    EXPECT_EQ(server.transcript(),
              "EHLO client.test\r\nMAIL FROM:<sender@a.test>\r\nRCPT TO:<x@b.test>\r\n"
              "RCPT TO:<y@b.test>\r\nDATA\r\nQUIT\r\n");
}

TEST_F(ClientConnectionTest, MailRefusalWithoutPipeliningSendsNoRcpt) {
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {});
        answer_in_turn(peer, {"451 4.3.0 try later"});
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b.test", "y@b.test"})),
                     "deferred 451 4.3.0 try later | deferred 451 4.3.0 try later");
    quit(*opened.connection);
    EXPECT_EQ(server.transcript(), "EHLO client.test\r\nMAIL FROM:<sender@a.test>\r\nQUIT\r\n");
}

TEST_F(ClientConnectionTest, NoRecipientAcceptedResetsInsteadOfData) {
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {});
        // MAIL, RCPT refused, RSET; then the next message on the same connection.
        answer_in_turn(
            peer, {"250 Ok", "550 5.1.1 no", "250 Ok", "250 Ok", "250 Ok", "354 go", "250 Ok"});
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b.test"})), "bounced 550 5.1.1 no");
    EXPECT_TRUE(opened.connection->usable());
    EXPECT_DESCRIBED(send(*opened.connection, message({"y@b.test"})), "delivered 250 Ok");
    quit(*opened.connection);
    EXPECT_EQ(server.transcript(),
              "EHLO client.test\r\nMAIL FROM:<sender@a.test>\r\nRCPT TO:<x@b.test>\r\nRSET\r\n"
              "MAIL FROM:<sender@a.test>\r\nRCPT TO:<y@b.test>\r\nDATA\r\n" +
                  dot_stuff(kContent) + "QUIT\r\n");
}

TEST_F(ClientConnectionTest, PipelinedNoRecipientAcceptedEndsAStray354WithADot) {
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {"PIPELINING"});
        for (int i = 0; i < 3; ++i) peer.read_line();
        peer.send("250 Ok\r\n550 5.1.1 no\r\n354 go\r\n");  // a sloppy server answers 354
        peer.read_data();
        peer.send("554 5.5.1 no valid recipients\r\n");
        for (int i = 0; i < 3; ++i) peer.read_line();
        peer.send("250 Ok\r\n450 4.2.1 later\r\n554 5.5.1 no valid recipients\r\n");
        peer.read_line();
        peer.send("250 Ok\r\n");  // RSET: MAIL was accepted, DATA was not
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b.test"})), "bounced 550 5.1.1 no");
    EXPECT_DESCRIBED(send(*opened.connection, message({"y@b.test"})), "deferred 450 4.2.1 later");
    EXPECT_TRUE(opened.connection->usable());
    quit(*opened.connection);
    EXPECT_EQ(server.transcript(),
              "EHLO client.test\r\nMAIL FROM:<sender@a.test>\r\nRCPT TO:<x@b.test>\r\nDATA\r\n"
              ".\r\nMAIL FROM:<sender@a.test>\r\nRCPT TO:<y@b.test>\r\nDATA\r\nRSET\r\n"
              "QUIT\r\n");
}

TEST_F(ClientConnectionTest, ManyRecipientsGoInSeveralTransactions) {
    settings_.max_recipients_per_transaction = 2;
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {"PIPELINING"});
        for (int batch : {2, 2, 1}) {
            accept_pipelined(peer, batch, "250 Ok batch of " + std::to_string(batch) + "\r\n");
        }
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    EXPECT_DESCRIBED(send(*opened.connection, message({"1@b", "2@b", "3@b", "4@b", "5@b"})),
                     "delivered 250 Ok batch of 2 | delivered 250 Ok batch of 2 | "
                     "delivered 250 Ok batch of 2 | delivered 250 Ok batch of 2 | "
                     "delivered 250 Ok batch of 1");
    quit(*opened.connection);
    const std::string body = dot_stuff(kContent);
    EXPECT_EQ(server.transcript(),
              "EHLO client.test\r\n"
              "MAIL FROM:<sender@a.test>\r\nRCPT TO:<1@b>\r\nRCPT TO:<2@b>\r\nDATA\r\n" +
                  body + "MAIL FROM:<sender@a.test>\r\nRCPT TO:<3@b>\r\nRCPT TO:<4@b>\r\nDATA\r\n" +
                  body + "MAIL FROM:<sender@a.test>\r\nRCPT TO:<5@b>\r\nDATA\r\n" + body +
                  "QUIT\r\n");
}

TEST_F(ClientConnectionTest, Reply421DefersTheRestAndEndsTheConnection) {
    settings_.max_recipients_per_transaction = 2;
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {"PIPELINING", "ENHANCEDSTATUSCODES"});
        for (int i = 0; i < 4; ++i) peer.read_line();
        peer.send("250 2.1.0 Ok\r\n550 5.1.1 no\r\n421 4.7.0 too many errors\r\n");
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b", "y@b", "z@b"})),
                     "bounced 550 5.1.1 no | deferred 421 4.7.0 too many errors | "
                     "deferred 421 4.7.0 too many errors");
    EXPECT_FALSE(opened.connection->usable());
    EXPECT_FALSE(reset(*opened.connection));
}

TEST_F(ClientConnectionTest, SmtpUtf8NotOfferedBouncesWithoutSending) {
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {"PIPELINING", "8BITMIME"});
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    auto m = message({"x@b.test", "y@b.test"});
    m.smtputf8 = true;
    EXPECT_DESCRIBED(send(*opened.connection, m),
                     "bounced *550 5.6.7 SMTPUTF8 is required but not offered by mx.test | "
                     "bounced *550 5.6.7 SMTPUTF8 is required but not offered by mx.test");
    quit(*opened.connection);
    EXPECT_EQ(server.transcript(), "EHLO client.test\r\nQUIT\r\n");
}

TEST_F(ClientConnectionTest, SmtpUtf8OfferedIsRequested) {
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {"PIPELINING", "SMTPUTF8", "8BITMIME"});
        accept_pipelined(peer, 1);
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    OutboundMessage m{"", {"пользователь@b.test"}, true, true, "x\r\n"};
    EXPECT_DESCRIBED(send(*opened.connection, m), "delivered 250 Ok");
    quit(*opened.connection);
    EXPECT_EQ(server.transcript(),
              "EHLO client.test\r\nMAIL FROM:<> BODY=8BITMIME SMTPUTF8\r\n"
              "RCPT TO:<пользователь@b.test>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n");
}

TEST_F(ClientConnectionTest, ResetKeepsTheConnectionForTheNextMessage) {
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {"PIPELINING"});
        for (int round = 0; round < 2; ++round) {
            accept_pipelined(peer, 1, "250 Ok " + std::to_string(round) + "\r\n");
            peer.read_line();
            peer.send("250 2.0.0 Reset\r\n");
        }
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b.test"})), "delivered 250 Ok 0");
    EXPECT_TRUE(reset(*opened.connection));
    EXPECT_DESCRIBED(send(*opened.connection, message({"y@b.test"})), "delivered 250 Ok 1");
    EXPECT_TRUE(reset(*opened.connection));
    quit(*opened.connection);
    EXPECT_EQ(std::string(server.transcript()).find("RSET\r\n") != std::string::npos, true);
}

TEST_F(ClientConnectionTest, RefusedConnectionFailsTheOpen) {
    boost::asio::ip::tcp::endpoint closed;
    {
        ScriptedServer server([](ScriptedPeer&) {}, 0);  // bound, then closed: nobody listens
        closed = server.endpoint();
    }
    auto opened = open(closed);
    EXPECT_EQ(opened.error, errc::connect_failed);
    EXPECT_TRUE(opened.synthetic);
    EXPECT_EQ(opened.reply.code, 451);
    EXPECT_EQ(opened.reply.enhanced, "4.4.1");
}

TEST_F(ClientConnectionTest, ConnectsFromTheSourceAddress) {
    settings_.source_address = boost::asio::ip::make_address("127.0.0.2");
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {});
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error) << opened.reply.summary();
    EXPECT_EQ(opened.connection->local_address().to_string(), "127.0.0.2");
    EXPECT_EQ(opened.connection->remote_endpoint(), server.endpoint());
    EXPECT_EQ(opened.connection->mx_host(), "mx.test");
    quit(*opened.connection);
    EXPECT_EQ(server.client_address(), "127.0.0.2");
}

TEST_F(ClientConnectionTest, UnbindableSourceAddressFailsTheOpen) {
    settings_.source_address = boost::asio::ip::make_address("::1");  // not the remote's family
    auto opened = open({boost::asio::ip::make_address("127.0.0.1"), 9});
    EXPECT_EQ(opened.error, errc::bind_failed);
    EXPECT_TRUE(opened.synthetic);
}

TEST_F(ClientConnectionTest, LargeContentArrivesExactly) {
    std::string content;
    for (int i = 0; content.size() < 3 * 1024 * 1024; ++i) {
        content += (i % 7 == 0 ? "." : "") + std::string("line ") + std::to_string(i) +
                   std::string(static_cast<std::size_t>(i % 90), 'x') + "\r\n";
    }
    std::string received;
    ScriptedServer server([&received](ScriptedPeer& peer) {
        greet(peer, {"PIPELINING"});
        received = accept_pipelined(peer, 1);
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b.test"}, content)), "delivered 250 Ok");
    quit(*opened.connection);
    server.transcript();  // joins
    EXPECT_TRUE(received == dot_stuff(content))
        << "sizes " << received.size() << " and " << dot_stuff(content).size();
}

TEST_F(ClientConnectionTest, BareLineEndingsNeverReachTheWire) {
    std::string received;
    ScriptedServer server([&received](ScriptedPeer& peer) {
        greet(peer, {"PIPELINING"});
        received = accept_pipelined(peer, 1);
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b.test"}, "a\nb\rc\n.\n.x")),
                     "delivered 250 Ok");
    quit(*opened.connection);
    server.transcript();
    EXPECT_EQ(received, "a\r\nb\r\nc\r\n..\r\n..x\r\n.\r\n");
}

TEST_F(ClientConnectionTest, AddressWithALineBreakIsNeverSent) {
    ScriptedServer server([](ScriptedPeer& peer) {
        greet(peer, {"PIPELINING"});
        accept_pipelined(peer, 1);
        answer_quit(peer);
    });
    auto opened = open(server.endpoint());
    ASSERT_FALSE(opened.error);
    EXPECT_DESCRIBED(send(*opened.connection, message({"x@b\r\nRSET", "y@b.test"})),
                     "bounced *553 5.1.3 Invalid recipient address | delivered 250 Ok");
    quit(*opened.connection);
    EXPECT_EQ(server.transcript().find("RSET"), std::string::npos);
}

}  // namespace
}  // namespace sluice::daemon::delivery
