#include "daemon/smtp/dialogue.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::daemon::smtp {
namespace {

DialogueSettings settings(bool may_relay = true) {
    return {"mx.test", 10000, 3, 5, policy::config::BareLineEndings::normalize, may_relay};
}

// The last line of a reply as it goes on the wire, e.g. "250 CHUNKING" for EHLO.
std::string last_line(const Reply& reply) {
    std::string wire = reply.to_wire();
    wire.resize(wire.size() - 2);
    const auto at = wire.rfind("\r\n");
    return at == std::string::npos ? wire : wire.substr(at + 2);
}

// One scripted command and the reply it must get (the last line's summary).
struct Exchange {
    std::string command;
    std::string want;
};

// Runs `script` through a fresh dialogue; stops at the first DATA/BDAT step.
void run_script(Dialogue& dialogue, const std::vector<Exchange>& script) {
    for (const auto& [command, want] : script) {
        Step step = dialogue.on_command(command, SpoolRoom::enough);
        EXPECT_EQ(last_line(step.reply), want) << "command: " << command;
    }
}

TEST(Dialogue, GreetsWithHostname) {
    Dialogue dialogue(settings(), "127.0.0.1", "test");
    EXPECT_EQ(dialogue.greeting().to_wire(), "220 mx.test ESMTP Sluice\r\n");
}

TEST(Dialogue, EhloAdvertisesExtensions) {
    Dialogue dialogue(settings(), "127.0.0.1", "test");
    Step step = dialogue.on_command("EHLO client.test", SpoolRoom::enough);
    EXPECT_EQ(step.reply.to_wire(),
              "250-mx.test\r\n250-PIPELINING\r\n250-SIZE 10000\r\n250-8BITMIME\r\n"
              "250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250-DSN\r\n250 CHUNKING\r\n");
}

TEST(Dialogue, EnforcesCommandSequence) {
    Dialogue dialogue(settings(), "127.0.0.1", "test");
    run_script(dialogue, {
                             {"MAIL FROM:<a@x.test>", "503 5.5.1 Error: send HELO/EHLO first"},
                             {"RCPT TO:<b@y.test>", "503 5.5.1 Error: need MAIL command"},
                             {"HELO", "501 5.5.4 Syntax: HELO hostname"},
                             {"EHLO c.test", "250 CHUNKING"},
                             {"DATA", "503 5.5.1 Error: need MAIL command"},
                             {"MAIL FROM:<a@x.test>", "250 2.1.0 Ok"},
                             {"MAIL FROM:<a@x.test>", "503 5.5.1 Error: nested MAIL command"},
                         });
}

TEST(Dialogue, DataWithoutRecipientsIsRefused) {
    Dialogue dialogue(settings(), "127.0.0.1", "test");
    run_script(dialogue, {{"EHLO c.test", "250 CHUNKING"},
                          {"MAIL FROM:<a@x.test>", "250 2.1.0 Ok"},
                          {"DATA", "554 5.5.1 Error: no valid recipients"}});
}

TEST(Dialogue, RelayDeniedOutsideRelayNetworks) {
    Dialogue dialogue(settings(false), "127.0.0.2", "test");
    run_script(dialogue, {{"EHLO c.test", "250 CHUNKING"},
                          {"MAIL FROM:<a@x.test>", "250 2.1.0 Ok"},
                          {"RCPT TO:<b@y.test>", "550 5.7.1 Relay access denied"}});
}

TEST(Dialogue, RecipientLimitAndSizeLimit) {
    Dialogue dialogue(settings(), "127.0.0.1", "test");
    run_script(dialogue, {{"EHLO c.test", "250 CHUNKING"},
                          {"MAIL FROM:<a@x.test> SIZE=10001",
                           "552 5.3.4 Message size exceeds fixed maximum message size"},
                          {"MAIL FROM:<a@x.test> SIZE=10000", "250 2.1.0 Ok"},
                          {"RCPT TO:<1@y.test>", "250 2.1.5 Ok"},
                          {"RCPT TO:<2@y.test>", "250 2.1.5 Ok"},
                          {"RCPT TO:<3@y.test>", "250 2.1.5 Ok"},
                          {"RCPT TO:<4@y.test>", "452 4.5.3 Too many recipients"}});
}

TEST(Dialogue, LowSpoolSpaceRefusesMail) {
    Dialogue dialogue(settings(), "127.0.0.1", "test");
    (void)dialogue.on_command("EHLO c.test", SpoolRoom::enough);
    Step step = dialogue.on_command("MAIL FROM:<a@x.test>", SpoolRoom::low);
    EXPECT_EQ(last_line(step.reply), "452 4.3.1 Insufficient system storage");
    EXPECT_FALSE(dialogue.in_transaction());
}

TEST(Dialogue, HeloSessionRefusesEsmtpParameters) {
    Dialogue dialogue(settings(), "127.0.0.1", "test");
    run_script(dialogue,
               {{"HELO c.test", "250 mx.test"},
                {"MAIL FROM:<a@x.test> SMTPUTF8", "555 5.5.4 Unsupported option: SMTPUTF8"},
                {"MAIL FROM:<a@x.test> BODY=8BITMIME", "555 5.5.4 Unsupported option: BODY"},
                {"MAIL FROM:<a@x.test> RET=HDRS", "555 5.5.4 Unsupported option: DSN"},
                {"MAIL FROM:<a@x.test> ENVID=1", "555 5.5.4 Unsupported option: DSN"},
                {"MAIL FROM:<a@x.test>", "250 2.1.0 Ok"},
                {"RCPT TO:<b@y.test> NOTIFY=NEVER", "555 5.5.4 Unsupported option: DSN"},
                {"RCPT TO:<b@y.test> ORCPT=rfc822;b@y.test", "555 5.5.4 Unsupported option: DSN"}});
}

TEST(Dialogue, DataBuildsEnvelope) {
    Dialogue dialogue(settings(), "127.0.0.1", "in");
    run_script(dialogue, {{"EHLO c.test", "250 CHUNKING"},
                          {"MAIL FROM:<a@x.test> BODY=8BITMIME", "250 2.1.0 Ok"},
                          {"RCPT TO:<b@y.test> NOTIFY=FAILURE", "250 2.1.5 Ok"}});
    Step step = dialogue.on_command("DATA", SpoolRoom::enough);
    ASSERT_EQ(step.action, Step::Action::read_data);
    EXPECT_EQ(last_line(step.reply), "354 End data with <CR><LF>.<CR><LF>");
    auto verdict = dialogue.finish_data("Subject: x\r\n\r\nhi\r\n", false, false);
    ASSERT_TRUE(verdict.message.has_value());
    const auto& envelope = verdict.message->envelope;
    EXPECT_EQ(envelope.sender, "a@x.test");
    EXPECT_EQ(envelope.helo, "c.test");
    EXPECT_EQ(envelope.protocol, "ESMTP");
    EXPECT_EQ(envelope.listener, "in");
    EXPECT_EQ(envelope.body_type, spool::BodyType::eight_bit_mime);
    ASSERT_EQ(envelope.recipients.size(), 1u);
    EXPECT_EQ(envelope.recipients[0].address, "b@y.test");
    EXPECT_EQ(verdict.message->content, "Subject: x\r\n\r\nhi\r\n");
    EXPECT_FALSE(dialogue.in_transaction());
}

TEST(Dialogue, OversizedOrBareDataIsRefused) {
    struct Case {
        bool too_large;
        bool bare;
        policy::config::BareLineEndings mode;
        std::string want;  // empty: accepted
    };
    const std::vector<Case> cases = {
        {true, false, policy::config::BareLineEndings::normalize,
         "552 5.3.4 Message size exceeds fixed maximum message size"},
        {false, true, policy::config::BareLineEndings::normalize, ""},
        {false, true, policy::config::BareLineEndings::reject,
         "550 5.6.0 Message contains bare CR or LF characters"},
    };
    for (const auto& c : cases) {
        auto s = settings();
        s.bare_line_endings = c.mode;
        Dialogue dialogue(s, "127.0.0.1", "in");
        run_script(dialogue, {{"EHLO c.test", "250 CHUNKING"},
                              {"MAIL FROM:<>", "250 2.1.0 Ok"},
                              {"RCPT TO:<b@y.test>", "250 2.1.5 Ok"},
                              {"DATA", "354 End data with <CR><LF>.<CR><LF>"}});
        auto verdict = dialogue.finish_data("x\r\n", c.too_large, c.bare);
        EXPECT_EQ(verdict.message ? std::string() : last_line(verdict.reply), c.want);
    }
}

TEST(Dialogue, BdatChunksAssembleMessage) {
    Dialogue dialogue(settings(), "127.0.0.1", "in");
    run_script(dialogue, {{"EHLO c.test", "250 CHUNKING"},
                          {"MAIL FROM:<a@x.test>", "250 2.1.0 Ok"},
                          {"RCPT TO:<b@y.test>", "250 2.1.5 Ok"}});
    Step first = dialogue.on_command("BDAT 4", SpoolRoom::enough);
    ASSERT_EQ(first.action, Step::Action::read_bdat_chunk);
    EXPECT_EQ(first.chunk_size, 4u);
    dialogue.take_bdat_bytes("ab\r");
    dialogue.take_bdat_bytes("\n");
    EXPECT_EQ(last_line(dialogue.finish_bdat_chunk().reply), "250 2.0.0 4 octets received");
    EXPECT_EQ(last_line(dialogue.on_command("DATA", SpoolRoom::enough).reply),
              "503 5.5.1 Error: DATA not allowed after BDAT");
    Step last = dialogue.on_command("BDAT 3 LAST", SpoolRoom::enough);
    ASSERT_EQ(last.action, Step::Action::read_bdat_chunk);
    dialogue.take_bdat_bytes("cd\n");
    auto verdict = dialogue.finish_bdat_chunk();
    ASSERT_TRUE(verdict.message.has_value());
    EXPECT_EQ(verdict.message->content, "ab\r\ncd\r\n");
}

TEST(Dialogue, RefusedBdatStillConsumesItsChunk) {
    Dialogue dialogue(settings(), "127.0.0.1", "in");
    (void)dialogue.on_command("EHLO c.test", SpoolRoom::enough);
    Step step = dialogue.on_command("BDAT 6 LAST", SpoolRoom::enough);
    ASSERT_EQ(step.action, Step::Action::read_bdat_chunk);
    EXPECT_EQ(step.chunk_size, 6u);
    dialogue.take_bdat_bytes("QUIT\r\n");
    auto verdict = dialogue.finish_bdat_chunk();
    EXPECT_FALSE(verdict.message.has_value());
    EXPECT_EQ(last_line(verdict.reply), "503 5.5.1 Error: need MAIL command");
}

TEST(Dialogue, OversizedBdatRefusesTransaction) {
    Dialogue dialogue(settings(), "127.0.0.1", "in");
    run_script(dialogue, {{"EHLO c.test", "250 CHUNKING"},
                          {"MAIL FROM:<a@x.test>", "250 2.1.0 Ok"},
                          {"RCPT TO:<b@y.test>", "250 2.1.5 Ok"}});
    Step step = dialogue.on_command("BDAT 10001", SpoolRoom::enough);
    EXPECT_EQ(step.chunk_size, 10001u);
    dialogue.take_bdat_bytes(std::string(10001, 'x'));
    EXPECT_EQ(last_line(dialogue.finish_bdat_chunk().reply),
              "552 5.3.4 Message size exceeds fixed maximum message size");
    (void)dialogue.on_command("BDAT 1 LAST", SpoolRoom::enough);
    dialogue.take_bdat_bytes("x");
    EXPECT_EQ(last_line(dialogue.finish_bdat_chunk().reply),
              "552 5.3.4 Message size exceeds fixed maximum message size");
    EXPECT_FALSE(dialogue.in_transaction());
}

TEST(Dialogue, HugeBdatChunkCannotOverflowTheSizeCheck) {
    Dialogue dialogue(settings(), "127.0.0.1", "in");
    run_script(dialogue, {{"EHLO c.test", "250 CHUNKING"},
                          {"MAIL FROM:<a@x.test>", "250 2.1.0 Ok"},
                          {"RCPT TO:<b@y.test>", "250 2.1.5 Ok"}});
    (void)dialogue.on_command("BDAT 100", SpoolRoom::enough);
    dialogue.take_bdat_bytes(std::string(100, 'x'));
    EXPECT_EQ(last_line(dialogue.finish_bdat_chunk().reply), "250 2.0.0 100 octets received");
    // 100 + (2^64 - 50) wraps around to 50 in 64 bits; it must still be refused.
    Step step = dialogue.on_command("BDAT 18446744073709551566 LAST", SpoolRoom::enough);
    ASSERT_EQ(step.action, Step::Action::read_bdat_chunk);
    dialogue.take_bdat_bytes("xxxx");
    EXPECT_EQ(last_line(dialogue.finish_bdat_chunk().reply),
              "552 5.3.4 Message size exceeds fixed maximum message size");
}

TEST(Dialogue, ErrorLimitIsReached) {
    Dialogue dialogue(settings(), "127.0.0.1", "in");
    for (int i = 0; i < 4; ++i) {
        (void)dialogue.on_command("BOGUS", SpoolRoom::enough);
        EXPECT_FALSE(dialogue.error_limit_reached()) << "after error " << i + 1;
    }
    EXPECT_EQ(last_line(dialogue.on_command("BOGUS", SpoolRoom::enough).reply),
              "500 5.5.2 Error: command not recognized");
    EXPECT_TRUE(dialogue.error_limit_reached());
    EXPECT_EQ(last_line(dialogue.too_many_errors()), "421 4.7.0 mx.test Error: too many errors");
}

}  // namespace
}  // namespace sluice::daemon::smtp
