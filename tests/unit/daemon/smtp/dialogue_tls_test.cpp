// STARTTLS in the dialogue (RFC 3207): announced only where the listener enables it and only
// before TLS; the handshake resets the session (CVE-2011-0411 is the shell's part: it drops the
// buffered input); the protocol recorded for the Received: header gains the S.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "daemon/smtp/dialogue.hpp"

namespace sluice::daemon::smtp {
namespace {

using policy::config::ListenerTls;

DialogueSettings settings(ListenerTls tls) {
    DialogueSettings s{"mx.test", 10000, 3, 5, policy::config::BareLineEndings::normalize, true};
    s.tls = tls;
    return s;
}

bool announces(const Reply& reply, const std::string& keyword) {
    return std::find(reply.lines.begin(), reply.lines.end(), keyword) != reply.lines.end();
}

TEST(DialogueTls, StarttlsAnnouncedOnlyWhereEnabledAndBeforeTls) {
    struct Case {
        ListenerTls tls;
        bool want;
    };
    for (const auto& [tls, want] :
         {Case{ListenerTls::none, false}, Case{ListenerTls::starttls, true},
          Case{ListenerTls::implicit, false}}) {
        Dialogue dialogue(settings(tls), "127.0.0.1", "test");
        if (tls == ListenerTls::implicit) dialogue.tls_started();
        Step step = dialogue.on_command("EHLO c.test", SpoolRoom::enough);
        EXPECT_EQ(announces(step.reply, "STARTTLS"), want)
            << "tls=" << static_cast<int>(tls) << ": got " << step.reply.to_wire();
    }
}

TEST(DialogueTls, StarttlsAsksForTheHandshake) {
    Dialogue dialogue(settings(ListenerTls::starttls), "127.0.0.1", "test");
    (void)dialogue.on_command("EHLO c.test", SpoolRoom::enough);
    EXPECT_EQ(dialogue.on_command("STARTTLS now", SpoolRoom::enough).reply.summary(),
              "501 5.5.4 Syntax: STARTTLS");
    Step step = dialogue.on_command("STARTTLS", SpoolRoom::enough);
    EXPECT_EQ(step.action, Step::Action::start_tls);
    EXPECT_EQ(step.reply.to_wire(), "220 2.0.0 Ready to start TLS\r\n");
}

TEST(DialogueTls, HandshakeForgetsHeloAndTransaction) {
    Dialogue dialogue(settings(ListenerTls::starttls), "127.0.0.1", "test");
    (void)dialogue.on_command("EHLO c.test", SpoolRoom::enough);
    (void)dialogue.on_command("MAIL FROM:<a@x.test>", SpoolRoom::enough);
    ASSERT_TRUE(dialogue.in_transaction());
    (void)dialogue.on_command("STARTTLS", SpoolRoom::enough);
    dialogue.tls_started();
    EXPECT_TRUE(dialogue.tls_active());
    EXPECT_FALSE(dialogue.in_transaction());
    EXPECT_EQ(dialogue.on_command("MAIL FROM:<a@x.test>", SpoolRoom::enough).reply.summary(),
              "503 5.5.1 Error: send HELO/EHLO first");
    Step ehlo = dialogue.on_command("EHLO c.test", SpoolRoom::enough);
    EXPECT_FALSE(announces(ehlo.reply, "STARTTLS"));
    EXPECT_EQ(dialogue.on_command("STARTTLS", SpoolRoom::enough).reply.summary(),
              "554 5.5.1 Error: TLS already active");
}

TEST(DialogueTls, StarttlsWhereNotEnabledIsNotImplemented) {
    Dialogue dialogue(settings(ListenerTls::none), "127.0.0.1", "test");
    (void)dialogue.on_command("EHLO c.test", SpoolRoom::enough);
    EXPECT_EQ(dialogue.on_command("STARTTLS", SpoolRoom::enough).reply.summary(),
              "502 5.5.1 Error: command not implemented");
}

TEST(DialogueTls, ProtocolRecordsTls) {
    struct Case {
        bool tls;
        const char* helo;
        const char* mail;
        const char* want;
    };
    for (const auto& c : {Case{false, "EHLO c.test", "MAIL FROM:<a@x.test>", "ESMTP"},
                          Case{true, "EHLO c.test", "MAIL FROM:<a@x.test>", "ESMTPS"},
                          Case{true, "EHLO c.test", "MAIL FROM:<a@x.test> SMTPUTF8", "UTF8SMTPS"},
                          Case{true, "HELO c.test", "MAIL FROM:<a@x.test>", "SMTP"}}) {
        Dialogue dialogue(settings(ListenerTls::starttls), "127.0.0.1", "test");
        if (c.tls) dialogue.tls_started();
        (void)dialogue.on_command(c.helo, SpoolRoom::enough);
        (void)dialogue.on_command(c.mail, SpoolRoom::enough);
        (void)dialogue.on_command("RCPT TO:<b@y.test>", SpoolRoom::enough);
        auto verdict = dialogue.finish_data("Subject: x\r\n\r\nbody\r\n", false, false);
        ASSERT_TRUE(verdict.message) << verdict.reply.summary();
        EXPECT_EQ(verdict.message->envelope.protocol, c.want)
            << "got " << verdict.message->envelope.protocol << ", want " << c.want;
    }
}

}  // namespace
}  // namespace sluice::daemon::smtp
