// ClientConnection against Postfix's smtp-sink: a real, independent SMTP server.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../spool/temp_dir.hpp"
#include "client_test_support.hpp"
#include "daemon/delivery/client_connection.hpp"
#include "smtp_sink.hpp"

namespace sluice::daemon::delivery {
namespace {

using namespace std::chrono_literals;
using spool::testing::TempDir;
using testing::SmtpSink;

const std::string kContent =
    "From: <sender@a.test>\r\nSubject: sink test\r\n\r\n.leading dot\r\n.\r\n..two\r\nend\r\n";

std::string without_cr(std::string text) {
    std::erase(text, '\r');
    return text;
}

// The one message file smtp-sink wrote into `dir`, once it holds `tail` (or "" after 5 s).
std::string wait_for_dump(const std::filesystem::path& dir, const std::string& tail) {
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < give_up) {
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            std::ifstream file(entry.path(), std::ios::binary);
            std::stringstream text;
            text << file.rdbuf();
            if (text.str().ends_with(tail)) return text.str();
        }
        std::this_thread::sleep_for(20ms);
    }
    return {};
}

class ClientConnectionSinkTest : public testing::ClientTest {
  protected:
    ClientConnectionSinkTest() : ClientTest("sink.test") {}

    void SetUp() override {
        if (!SmtpSink::available()) GTEST_SKIP() << "smtp-sink (Debian package postfix) missing";
    }
    static OutboundMessage message(std::vector<std::string> recipients) {
        return {"sender@a.test", std::move(recipients), false, false, kContent};
    }
};

TEST_F(ClientConnectionSinkTest, DeliversEveryRecipientAndTheExactContent) {
    TempDir dumps;
    SmtpSink sink({}, dumps.path());
    auto opened = open(sink.endpoint());
    ASSERT_FALSE(opened.error) << opened.reply.summary();
    EXPECT_TRUE(opened.connection->supports("PIPELINING"));
    EXPECT_TRUE(opened.connection->supports("8BITMIME"));
    EXPECT_FALSE(opened.connection->supports("SIZE"));
    OutboundMessage m{"sender@a.test", {"x@b.test", "y@b.test", "z@c.test"}, true, false, kContent};
    const auto results = send(*opened.connection, m);
    ASSERT_EQ(results.size(), 3u);
    for (const auto& result : results) {
        EXPECT_EQ(result.outcome, RecipientOutcome::delivered) << result.reply.summary();
        EXPECT_EQ(result.reply.code, 250) << result.reply.summary();
        EXPECT_FALSE(result.synthetic);
    }
    quit(*opened.connection);

    const std::string dump = wait_for_dump(dumps.path(), without_cr(kContent) + "\n");
    ASSERT_FALSE(dump.empty()) << "no complete message file from smtp-sink";
    EXPECT_NE(dump.find("X-Helo-Args: client.test\n"), std::string::npos) << dump;
    // smtp-sink offers no SIZE, so none is sent.
    EXPECT_NE(dump.find("X-Mail-Args: <sender@a.test> BODY=8BITMIME\n"), std::string::npos) << dump;
    EXPECT_NE(dump.find("X-Rcpt-Args: <x@b.test>\nX-Rcpt-Args: <y@b.test>\n"
                        "X-Rcpt-Args: <z@c.test>\n"),
              std::string::npos)
        << dump;
}

TEST_F(ClientConnectionSinkTest, WorksWithoutPipeliningAndWithoutEsmtp) {
    for (const char* option : {"-p", "-e"}) {
        SmtpSink sink({option});
        auto opened = open(sink.endpoint());
        ASSERT_FALSE(opened.error) << option << ": " << opened.reply.summary();
        EXPECT_FALSE(opened.connection->supports("PIPELINING")) << option;
        OutboundMessage m{"", {"x@b.test"}, false, false, kContent};
        const std::string got = testing::describe(send(*opened.connection, m));
        EXPECT_TRUE(got.starts_with("delivered 250 ")) << option << ": got " << got;
        quit(*opened.connection);
    }
}

TEST_F(ClientConnectionSinkTest, SoftRejectedRecipientsAreDeferred) {
    SmtpSink sink({"-r", "RCPT"});
    auto opened = open(sink.endpoint());
    ASSERT_FALSE(opened.error) << opened.reply.summary();
    EXPECT_DESCRIBED(
        send(*opened.connection, message({"x@b.test", "y@b.test"})),
        "deferred 450 4.3.0 Error: command failed | deferred 450 4.3.0 Error: command failed");
    EXPECT_TRUE(opened.connection->usable());  // the RSET that followed was accepted
    quit(*opened.connection);
}

TEST_F(ClientConnectionSinkTest, HardRejectedSenderBouncesEveryRecipient) {
    SmtpSink sink({"-f", "MAIL"});
    auto opened = open(sink.endpoint());
    ASSERT_FALSE(opened.error) << opened.reply.summary();
    EXPECT_DESCRIBED(
        send(*opened.connection, message({"x@b.test", "y@b.test"})),
        "bounced 500 5.3.0 Error: command failed | bounced 500 5.3.0 Error: command failed");
    quit(*opened.connection);
}

TEST_F(ClientConnectionSinkTest, DisconnectAfterFinalDotIsPossiblyDelivered) {
    SmtpSink sink({"-q", "."});
    auto opened = open(sink.endpoint());
    ASSERT_FALSE(opened.error) << opened.reply.summary();
    EXPECT_DESCRIBED(
        send(*opened.connection, message({"x@b.test"})),
        "possibly delivered *451 4.4.2 Connection lost after end of data with sink.test");
    EXPECT_FALSE(opened.connection->usable());
}

TEST_F(ClientConnectionSinkTest, Reply421AtRcptDefers) {
    SmtpSink sink({"-Q", "RCPT"});
    auto opened = open(sink.endpoint());
    ASSERT_FALSE(opened.error) << opened.reply.summary();
    const auto results = send(*opened.connection, message({"x@b.test", "y@b.test"}));
    for (const auto& result : results) {
        EXPECT_EQ(result.outcome, RecipientOutcome::deferred) << result.reply.summary();
        EXPECT_EQ(result.reply.code, 421) << result.reply.summary();
        EXPECT_FALSE(result.synthetic);
    }
    EXPECT_FALSE(opened.connection->usable());
}

}  // namespace
}  // namespace sluice::daemon::delivery
