// SMTP AUTH in the dialogue (RFC 4954): offered only over TLS on listeners that enable it,
// PLAIN and LOGIN with and without an initial response, 535 with a growing delay and 421 after
// the limit, 530 for MAIL before AUTH where required, relaying for authenticated users, the
// user in the envelope and ESMTPSA in the protocol.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "daemon/smtp/dialogue.hpp"

namespace sluice::daemon::smtp {
namespace {

using namespace std::chrono_literals;
using policy::config::ListenerAuth;
using policy::config::ListenerTls;

DialogueSettings settings(ListenerAuth auth, bool may_relay = false) {
    DialogueSettings s{"mx.test", 10000, 3, 10, policy::config::BareLineEndings::normalize,
                       may_relay};
    s.tls = ListenerTls::starttls;
    s.auth = auth;
    s.auth_max_failures = 3;
    s.auth_failure_delay = 1s;
    return s;
}

// A dialogue past STARTTLS and the second EHLO.
Dialogue secured(ListenerAuth auth, bool may_relay = false) {
    Dialogue dialogue(settings(auth, may_relay), "192.0.2.1", "submission");
    dialogue.tls_started();
    (void)dialogue.on_command("EHLO c.test", SpoolRoom::enough);
    return dialogue;
}

std::string say(Dialogue& dialogue, std::string_view line) {
    return dialogue.on_command(line, SpoolRoom::enough).reply.summary();
}

// AUTH PLAIN with an initial response, checked as `valid`; returns the final reply.
Step plain(Dialogue& dialogue, bool valid) {
    Step step = dialogue.on_command("AUTH PLAIN AGFsaWNlAHNlY3JldA==", SpoolRoom::enough);
    EXPECT_EQ(step.action, Step::Action::check_credentials);
    EXPECT_TRUE(step.credentials);
    return dialogue.credentials_checked(valid);
}

TEST(DialogueAuth, OfferedOnlyOverTlsWhereEnabled) {
    auto has_auth = [](const Reply& r) {
        return std::find(r.lines.begin(), r.lines.end(), "AUTH PLAIN LOGIN") != r.lines.end();
    };
    Dialogue clear(settings(ListenerAuth::required), "192.0.2.1", "submission");
    EXPECT_FALSE(has_auth(clear.on_command("EHLO c.test", SpoolRoom::enough).reply));
    EXPECT_EQ(say(clear, "AUTH PLAIN AGFsaWNlAHNlY3JldA=="),
              "538 5.7.11 Encryption required for requested authentication mechanism");
    clear.tls_started();
    EXPECT_TRUE(has_auth(clear.on_command("EHLO c.test", SpoolRoom::enough).reply));

    Dialogue none(settings(ListenerAuth::none), "192.0.2.1", "mx");
    none.tls_started();
    EXPECT_FALSE(has_auth(none.on_command("EHLO c.test", SpoolRoom::enough).reply));
    EXPECT_EQ(say(none, "AUTH PLAIN"), "503 5.5.1 Error: authentication not enabled");
}

TEST(DialogueAuth, PlainWithAndWithoutInitialResponse) {
    Dialogue dialogue = secured(ListenerAuth::optional);
    Step challenge = dialogue.on_command("auth plain", SpoolRoom::enough);
    EXPECT_EQ(challenge.action, Step::Action::auth_challenge);
    EXPECT_EQ(challenge.reply.to_wire(), "334 \r\n");
    Step check = dialogue.on_command("AGFsaWNlAHNlY3JldA==", SpoolRoom::enough);
    ASSERT_EQ(check.action, Step::Action::check_credentials);
    EXPECT_EQ(check.credentials->user, "alice");
    EXPECT_EQ(check.credentials->password, "secret");
    EXPECT_EQ(dialogue.credentials_checked(true).reply.summary(),
              "235 2.7.0 Authentication successful");
    EXPECT_EQ(dialogue.auth_user(), "alice");
    EXPECT_EQ(say(dialogue, "AUTH PLAIN AGFsaWNlAHNlY3JldA=="),
              "503 5.5.1 Error: already authenticated");
}

TEST(DialogueAuth, LoginAsksForUserThenPassword) {
    Dialogue dialogue = secured(ListenerAuth::optional);
    EXPECT_EQ(say(dialogue, "AUTH LOGIN"), "334 VXNlcm5hbWU6");
    EXPECT_EQ(say(dialogue, "YWxpY2U="), "334 UGFzc3dvcmQ6");
    Step check = dialogue.on_command("c2VjcmV0", SpoolRoom::enough);
    ASSERT_EQ(check.action, Step::Action::check_credentials);
    EXPECT_EQ(check.credentials->user, "alice");
    EXPECT_EQ(check.credentials->password, "secret");
    // With the user name as initial response.
    Dialogue again = secured(ListenerAuth::optional);
    EXPECT_EQ(say(again, "AUTH LOGIN YWxpY2U="), "334 UGFzc3dvcmQ6");
}

TEST(DialogueAuth, MalformedOrCancelledExchanges) {
    struct Case {
        const char* command;
        const char* response;  // nullptr: none
        const char* want;
    };
    for (const auto& c : {
             Case{"AUTH CRAM-MD5", nullptr, "504 5.5.4 Unrecognized authentication type"},
             Case{"AUTH", nullptr, "504 5.5.4 Unrecognized authentication type"},
             Case{"AUTH PLAIN", "*", "501 5.7.0 Authentication aborted"},
             Case{"AUTH PLAIN", "not base64!", "501 5.5.2 Cannot decode response"},
             Case{"AUTH PLAIN", "YWxpY2U=", "501 5.5.2 Cannot decode response"},  // no NULs
             Case{"AUTH LOGIN", "=", "501 5.5.2 Cannot decode response"},         // empty user
             Case{"AUTH PLAIN", "MAIL FROM:<a@x.test>", "501 5.5.2 Cannot decode response"},
         }) {
        Dialogue dialogue = secured(ListenerAuth::optional);
        std::string got = say(dialogue, c.command);
        if (c.response) got = say(dialogue, c.response);
        EXPECT_EQ(got, c.want) << c.command << " / " << (c.response ? c.response : "");
        // The exchange is over: the next line is a command again.
        EXPECT_EQ(say(dialogue, "NOOP"), "250 2.0.0 Ok");
        EXPECT_TRUE(dialogue.auth_user().empty());
    }
}

TEST(DialogueAuth, FailuresAreSlowedThenTheSessionEnds) {
    Dialogue dialogue = secured(ListenerAuth::required);
    for (int failure = 1; failure <= 3; ++failure) {
        Step step = plain(dialogue, false);
        EXPECT_EQ(step.reply.summary(), "535 5.7.8 Authentication credentials invalid");
        EXPECT_EQ(step.delay, std::chrono::milliseconds(1000 * failure)) << "failure " << failure;
        EXPECT_EQ(dialogue.error_limit_reached(), failure == 3) << "failure " << failure;
    }
    EXPECT_EQ(dialogue.too_many_errors().summary(),
              "421 4.7.0 mx.test Error: too many authentication failures");
}

TEST(DialogueAuth, RequiredMeansNoMailBeforeAuth) {
    Dialogue dialogue = secured(ListenerAuth::required);
    EXPECT_EQ(say(dialogue, "MAIL FROM:<a@x.test>"), "530 5.7.0 Authentication required");
    EXPECT_EQ(plain(dialogue, true).reply.code, 235);
    EXPECT_EQ(say(dialogue, "MAIL FROM:<a@x.test> AUTH=<>"), "250 2.1.0 Ok");
    EXPECT_EQ(say(dialogue, "AUTH PLAIN AGFsaWNlAHNlY3JldA=="),
              "503 5.5.1 Error: already authenticated");
}

TEST(DialogueAuth, AuthenticatedUserMayRelayAndIsRecorded) {
    Dialogue outside = secured(ListenerAuth::optional, false);
    EXPECT_EQ(say(outside, "MAIL FROM:<a@x.test>"), "250 2.1.0 Ok");
    EXPECT_EQ(say(outside, "RCPT TO:<b@y.test>"), "550 5.7.1 Relay access denied");
    (void)say(outside, "RSET");
    EXPECT_EQ(plain(outside, true).reply.code, 235);
    EXPECT_EQ(say(outside, "MAIL FROM:<a@x.test>"), "250 2.1.0 Ok");
    EXPECT_EQ(say(outside, "RCPT TO:<b@y.test>"), "250 2.1.5 Ok");
    auto verdict = outside.finish_data("Subject: x\r\n\r\nbody\r\n", false, false);
    ASSERT_TRUE(verdict.message);
    EXPECT_EQ(verdict.message->envelope.auth_user, "alice");
    EXPECT_EQ(verdict.message->envelope.protocol, "ESMTPSA");
}

TEST(DialogueAuth, OverlongResponseEndsTheExchange) {
    Dialogue dialogue = secured(ListenerAuth::optional);
    (void)say(dialogue, "AUTH PLAIN");
    EXPECT_EQ(dialogue.on_line_too_long().reply.summary(),
              "500 5.5.6 Authentication exchange line is too long");
    EXPECT_EQ(say(dialogue, "NOOP"), "250 2.0.0 Ok");
}

}  // namespace
}  // namespace sluice::daemon::smtp
