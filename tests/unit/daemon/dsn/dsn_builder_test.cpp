// Tests for build_dsn: the exact structure of a notification, the cleaning of hostile input,
// and (with Debian's /usr/bin/python3) that Python's email package parses it as an RFC 3464
// multipart/report with the fields we put in.
#include "daemon/dsn/dsn_builder.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/unit/daemon/spool/temp_dir.hpp"

namespace sluice::daemon::dsn {
namespace {

constexpr std::int64_t kArrival = 1'700'000'000;  // Tue, 14 Nov 2023 22:13:20 +0000
constexpr std::int64_t kNow = kArrival + 3600;

constexpr std::string_view kOriginal =
    "Received: from client (localhost [127.0.0.1])\r\n\tby mx.example.com (Sluice)\r\n"
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.net\r\n"
    "Subject: quarterly report\r\n"
    "Message-ID: <orig-1@example.org>\r\n"
    "\r\n"
    "Body line 1\r\n"
    "Secret body line\r\n";

DsnInput sample_input() {
    DsnInput input;
    input.hostname = "mx.example.com";
    input.queue_id = "0123456789ABCDEF";
    input.sender = "alice@example.org";
    input.arrival_unix = kArrival;
    input.original_content = kOriginal;
    input.now_unix = kNow;
    DsnRecipient bob;
    bob.address = "bob@example.net";
    bob.orcpt = "rfc822;Bob+2Btag@example.net";
    bob.action = Action::failed;
    bob.status = "5.1.1";
    bob.diagnostic = "550 5.1.1 <bob@example.net>: Recipient address rejected";
    bob.remote_mta = "mx1.example.net";
    bob.last_attempt_unix = kNow - 60;
    input.recipients.push_back(bob);
    return input;
}

// The MIME boundary from the top-level Content-Type.
std::string boundary_of(const std::string& dsn) {
    const std::size_t start = dsn.find("boundary=\"") + 10;
    return dsn.substr(start, dsn.find('"', start) - start);
}

TEST(BuildDsn, ExactStructure) {
    const std::string dsn = build_dsn(sample_input());
    const std::string b = boundary_of(dsn);
    EXPECT_EQ(b, "=_sluice_0123456789ABCDEF_0");
    const std::string want =
        "From: \"Mail Delivery System\" <MAILER-DAEMON@mx.example.com>\r\n"
        "To: <alice@example.org>\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Date: Tue, 14 Nov 2023 23:13:20 +0000\r\n"
        "Message-ID: <0123456789ABCDEF.1700003600." +
        dsn.substr(dsn.find("1700003600.") + 11, 8) +
        ".dsn@mx.example.com>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status;\r\n"
        "\tboundary=\"" +
        b +
        "\"\r\n"
        "\r\n"
        "This is a MIME-encapsulated message.\r\n"
        "\r\n--" +
        b +
        "\r\n"
        "Content-Description: Notification\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "\r\n"
        "This is the mail delivery system at mx.example.com.\r\n"
        "\r\n"
        "Your message could not be delivered to one or more recipients.\r\n"
        "It is attached below (headers only).\r\n"
        "It was accepted on Tue, 14 Nov 2023 22:13:20 +0000 with queue ID 0123456789ABCDEF.\r\n"
        "\r\n"
        "<bob@example.net>: delivery failed\r\n"
        "    mx1.example.net said:\r\n"
        "    550 5.1.1 <bob@example.net>: Recipient address rejected\r\n"
        "\r\n--" +
        b +
        "\r\n"
        "Content-Description: Delivery report\r\n"
        "Content-Type: message/delivery-status\r\n"
        "\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n"
        "X-Sluice-Queue-ID: 0123456789ABCDEF\r\n"
        "Arrival-Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
        "\r\n"
        "Original-Recipient: rfc822; Bob+tag@example.net\r\n"
        "Final-Recipient: rfc822; bob@example.net\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        "Remote-MTA: dns; mx1.example.net\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <bob@example.net>: Recipient address rejected\r\n"
        "Last-Attempt-Date: Tue, 14 Nov 2023 23:12:20 +0000\r\n"
        "\r\n--" +
        b +
        "\r\n"
        "Content-Description: Undelivered Message Headers\r\n"
        "Content-Type: text/rfc822-headers\r\n"
        "\r\n"
        "Received: from client (localhost [127.0.0.1])\r\n\tby mx.example.com (Sluice)\r\n"
        "From: Alice <alice@example.org>\r\n"
        "To: bob@example.net\r\n"
        "Subject: quarterly report\r\n"
        "Message-ID: <orig-1@example.org>\r\n"
        "\r\n--" +
        b + "--\r\n";
    EXPECT_EQ(dsn, want) << "got:\n" << dsn << "\nwant:\n" << want;
}

TEST(BuildDsn, NothingForANullSenderOrNoRecipients) {
    DsnInput input = sample_input();
    input.sender = "";
    EXPECT_EQ(build_dsn(input), "");
    input = sample_input();
    input.recipients.clear();
    EXPECT_EQ(build_dsn(input), "");
}

TEST(BuildDsn, DelayedAndMixed) {
    DsnInput input = sample_input();
    input.recipients[0].action = Action::delayed;
    input.recipients[0].status = "4.4.1";
    input.recipients[0].will_retry_until_unix = kArrival + 5 * 86400;
    std::string dsn = build_dsn(input);
    EXPECT_NE(dsn.find("Subject: Delayed Mail (still being retried)\r\n"), std::string::npos);
    EXPECT_NE(dsn.find("Action: delayed\r\nStatus: 4.4.1\r\n"), std::string::npos);
    EXPECT_NE(dsn.find("Will-Retry-Until: Sun, 19 Nov 2023 22:13:20 +0000\r\n"), std::string::npos);
    EXPECT_NE(dsn.find("has not been delivered yet"), std::string::npos);

    DsnRecipient carol;
    carol.address = "carol@example.net";
    carol.action = Action::failed;
    carol.status = "5.1.10";
    carol.diagnostic = "Domain example.net accepts no mail (null MX)";
    input.recipients.push_back(carol);
    dsn = build_dsn(input);
    EXPECT_NE(dsn.find("Subject: Undelivered Mail Returned to Sender\r\n"), std::string::npos);
    EXPECT_NE(
        dsn.find("Final-Recipient: rfc822; carol@example.net\r\nAction: failed\r\n"
                 "Status: 5.1.10\r\nDiagnostic-Code: X-Sluice; Domain example.net accepts "
                 "no mail (null MX)\r\nLast-Attempt-Date: Tue, 14 Nov 2023 23:13:20 +0000\r\n"),
        std::string::npos)
        << dsn;
}

TEST(BuildDsn, RelayedReportsSuccessWithoutTheBody) {
    DsnInput input = sample_input();
    input.recipients[0].action = Action::relayed;
    input.recipients[0].status = "2.0.0";
    input.recipients[0].diagnostic = "250 2.0.0 Ok: queued as 4XyZ";
    input.return_full = true;  // RET applies to failure reports only (RFC 3461 §4.3)
    const std::string dsn = build_dsn(input);
    EXPECT_NE(dsn.find("Subject: Successful Mail Delivery Report\r\n"), std::string::npos);
    EXPECT_NE(dsn.find("Action: relayed\r\nStatus: 2.0.0\r\nRemote-MTA: dns; mx1.example.net\r\n"
                       "Diagnostic-Code: smtp; 250 2.0.0 Ok: queued as 4XyZ\r\n"),
              std::string::npos)
        << dsn;
    EXPECT_NE(dsn.find("relayed to a server that sends no delivery reports"), std::string::npos);
    EXPECT_NE(dsn.find("Content-Description: Message Headers\r\n"
                       "Content-Type: text/rfc822-headers\r\n"),
              std::string::npos);
    EXPECT_EQ(dsn.find("Secret body line"), std::string::npos);
}

TEST(BuildDsn, ReturnFullAttachesTheWholeMessageToAFailureReport) {
    DsnInput input = sample_input();
    input.envid = "QQ+2B314";
    input.return_full = true;
    std::string dsn = build_dsn(input);
    EXPECT_NE(dsn.find("Original-Envelope-Id: QQ+314\r\n"), std::string::npos) << dsn;
    EXPECT_NE(dsn.find("Content-Description: Undelivered Message\r\n"
                       "Content-Type: message/rfc822\r\n\r\n" +
                       std::string(kOriginal)),
              std::string::npos)
        << dsn;
    EXPECT_NE(dsn.find("It is attached below.\r\n"), std::string::npos);

    // Over the cap only the header block goes back, as with RET=HDRS.
    const std::string large = std::string(kOriginal) + std::string(kMaxReturnedMessage, 'x');
    input.original_content = large;
    dsn = build_dsn(input);
    EXPECT_EQ(dsn.find("Secret body line"), std::string::npos);
    EXPECT_NE(dsn.find("Content-Type: text/rfc822-headers\r\n"), std::string::npos);
    EXPECT_NE(dsn.find("(headers only)"), std::string::npos);
}

TEST(BuildDsn, StatusFallsBackWhenMalformed) {
    struct Case {
        std::string status;
        Action action;
        std::string want;
    } cases[] = {
        {"5.1.1", Action::failed, "5.1.1"},
        {"4.7.0", Action::delayed, "4.7.0"},
        {"5.1.10", Action::failed, "5.1.10"},
        {"", Action::failed, "5.0.0"},
        {"", Action::delayed, "4.0.0"},
        {"3.1.1", Action::failed, "5.0.0"},
        {"5.1", Action::failed, "5.0.0"},
        {"5.1.1.1", Action::failed, "5.0.0"},
        {"5.1.1\r\nX: y", Action::failed, "5.0.0"},
        {"5..1", Action::failed, "5.0.0"},
        {"5.1234.1", Action::failed, "5.0.0"},
    };
    for (const auto& c : cases) {
        DsnInput input = sample_input();
        input.recipients[0].status = c.status;
        input.recipients[0].action = c.action;
        const std::string dsn = build_dsn(input);
        const std::size_t at = dsn.find("Status: ") + 8;
        const std::string got = dsn.substr(at, dsn.find("\r\n", at) - at);
        EXPECT_EQ(got, c.want) << "status \"" << c.status << "\": got " << got << ", want "
                               << c.want;
    }
}

TEST(BuildDsn, HostileValuesCannotAddFields) {
    DsnInput input = sample_input();
    input.recipients[0].diagnostic = "550-5.1.1 first line\r\n550 5.1.1 second\rInjected: yes\n";
    input.recipients[0].address = "bob@example.net\r\nBcc: eve@evil";
    input.recipients[0].remote_mta = "mx\xc3\xa9.example.net";
    input.envid = "ID+0D+0AX: y";
    const std::string dsn = build_dsn(input);
    EXPECT_EQ(dsn.find("\r\nInjected"), std::string::npos) << dsn;
    EXPECT_EQ(dsn.find("\r\nBcc"), std::string::npos) << dsn;
    EXPECT_EQ(dsn.find("Original-Envelope-Id"), std::string::npos) << dsn;
    EXPECT_NE(dsn.find("Diagnostic-Code: smtp; 550-5.1.1 first line 550 5.1.1 second Injected: "
                       "yes\r\n"),
              std::string::npos)
        << dsn;
    EXPECT_NE(dsn.find("Remote-MTA: dns; mx??.example.net\r\n"), std::string::npos) << dsn;
    for (std::size_t i = 0; i < dsn.size(); ++i) {
        const bool crlf = dsn[i] == '\r' ? i + 1 < dsn.size() && dsn[i + 1] == '\n'
                                         : dsn[i] != '\n' || (i > 0 && dsn[i - 1] == '\r');
        ASSERT_TRUE(crlf) << "bare CR or LF at offset " << i;
    }
}

TEST(BuildDsn, FoldsLongDiagnostics) {
    DsnInput input = sample_input();
    std::string reply = "550 5.7.1";
    for (int i = 0; i < 40; ++i) {
        reply += " word" + std::to_string(i);
    }
    input.recipients[0].diagnostic = reply;
    const std::string dsn = build_dsn(input);
    const std::size_t start = dsn.find("Diagnostic-Code: ");
    const std::size_t end = dsn.find("\r\nLast-Attempt-Date");
    const std::string folded = dsn.substr(start, end - start);
    std::size_t line_start = 0;
    int lines = 0;
    while (line_start <= folded.size()) {
        std::size_t line_end = folded.find("\r\n", line_start);
        line_end = line_end == std::string::npos ? folded.size() : line_end;
        EXPECT_LE(line_end - line_start, 78u) << folded;
        if (lines > 0) {
            EXPECT_EQ(folded[line_start], ' ') << "continuation lines start with a space";
        }
        ++lines;
        line_start = line_end + 2;
    }
    EXPECT_GT(lines, 2);
    std::string unfolded = folded;
    for (std::size_t at; (at = unfolded.find("\r\n")) != std::string::npos;) {
        unfolded.erase(at, 2);
    }
    EXPECT_EQ(unfolded, "Diagnostic-Code: smtp; " + reply);
}

TEST(BuildDsn, BoundaryAvoidsTheContent) {
    DsnInput input = sample_input();
    const std::string original =
        "Subject: x\r\nX-Trap: --=_sluice_0123456789ABCDEF_0\r\n"
        "X-Trap2: =_sluice_0123456789ABCDEF_1\r\n\r\nbody\r\n";
    input.original_content = original;
    const std::string dsn = build_dsn(input);
    EXPECT_EQ(boundary_of(dsn), "=_sluice_0123456789ABCDEF_2");
}

TEST(BuildDsn, HeaderBlockEdgeCases) {
    struct Case {
        std::string name;
        std::string content;
        std::string want;  // the third part's body
    } cases[] = {
        {"no body", "Subject: x\r\nFrom: a@b\r\n", "Subject: x\r\nFrom: a@b\r\n"},
        {"no header block", "\r\nbody only\r\n", ""},
        {"unterminated last line", "Subject: x\r\nFrom: a@b", "Subject: x\r\n"},
        {"empty", "", ""},
    };
    for (const auto& c : cases) {
        DsnInput input = sample_input();
        input.original_content = c.content;
        const std::string dsn = build_dsn(input);
        const std::string marker = "Content-Type: text/rfc822-headers\r\n\r\n";
        const std::size_t start = dsn.find(marker) + marker.size();
        const std::string got = dsn.substr(start, dsn.rfind("\r\n--") - start);
        EXPECT_EQ(got, c.want) << c.name << ": got \"" << got << "\", want \"" << c.want << "\"";
    }
}

TEST(BuildDsn, EightBitHeadersAreMarked) {
    DsnInput input = sample_input();
    input.original_content = "Subject: caf\xc3\xa9\r\n\r\nbody\r\n";
    const std::string dsn = build_dsn(input);
    EXPECT_NE(dsn.find("Content-Type: text/rfc822-headers\r\nContent-Transfer-Encoding: 8bit\r\n"
                       "\r\nSubject: caf\xc3\xa9\r\n"),
              std::string::npos);
}

// Python's email package (Debian's /usr/bin/python3) as an independent parser.
constexpr std::string_view kPythonCheck = R"PY(
import email, json, sys
from email import policy
raw = open(sys.argv[1], 'rb').read()
want = json.load(open(sys.argv[2]))
msg = email.message_from_bytes(raw, policy=policy.compat32)
problems = []
def check(what, got, wanted):
    if got != wanted:
        problems.append(f"{what}: got {got!r}, want {wanted!r}")
def unfold(value):
    return ' '.join(str(value).split())
check('defects', [type(d).__name__ for p in msg.walk() for d in p.defects], [])
check('content type', msg.get_content_type(), 'multipart/report')
check('report-type', msg.get_param('report-type'), 'delivery-status')
check('subject', msg['Subject'], want['subject'])
check('to', msg['To'], want['to'])
check('auto-submitted', msg['Auto-Submitted'], 'auto-replied')
parts = msg.get_payload()
check('part types', [p.get_content_type() for p in parts],
      ['text/plain', 'message/delivery-status', 'text/rfc822-headers'])
blocks = parts[1].get_payload()
check('reporting-mta', blocks[0]['Reporting-MTA'], want['reporting_mta'])
got_recipients = [{k: unfold(b[k]) for k in want['recipients'][0] if b[k] is not None}
                  for b in blocks[1:]]
check('recipients', got_recipients, want['recipients'])
headers = email.message_from_string(parts[2].get_payload())
check('original subject', headers['Subject'], want['original_subject'])
print('\n'.join(problems))
sys.exit(1 if problems else 0)
)PY";

TEST(BuildDsn, PythonEmailParsesItAsRfc3464) {
    DsnInput input = sample_input();
    DsnRecipient carol;
    carol.address = "carol@example.net";
    carol.action = Action::failed;
    carol.status = "5.7.1";
    std::string reply = "550-5.7.1 Message rejected by policy";
    for (int i = 0; i < 20; ++i) {
        reply += "\r\n550-5.7.1 more text on line " + std::to_string(i);
    }
    carol.diagnostic = reply + "\r\n550 5.7.1 end";
    carol.remote_mta = "mx2.example.net";
    input.recipients.push_back(carol);

    std::string carol_diagnostic = "smtp; 550-5.7.1 Message rejected by policy";
    for (int i = 0; i < 20; ++i) {
        carol_diagnostic += " 550-5.7.1 more text on line " + std::to_string(i);
    }
    carol_diagnostic += " 550 5.7.1 end";
    const std::string expectations =
        R"({"subject": "Undelivered Mail Returned to Sender", "to": "<alice@example.org>",
            "reporting_mta": "dns; mx.example.com", "original_subject": "quarterly report",
            "recipients": [
              {"Original-Recipient": "rfc822; Bob+tag@example.net",
               "Final-Recipient": "rfc822; bob@example.net", "Action": "failed",
               "Status": "5.1.1", "Remote-MTA": "dns; mx1.example.net",
               "Diagnostic-Code":
                 "smtp; 550 5.1.1 <bob@example.net>: Recipient address rejected"},
              {"Final-Recipient": "rfc822; carol@example.net", "Action": "failed",
               "Status": "5.7.1", "Remote-MTA": "dns; mx2.example.net",
               "Diagnostic-Code": ")" +
        carol_diagnostic + R"("}]})";

    spool::testing::TempDir dir;
    const std::string dsn_path = dir.path() / "dsn.eml";
    const std::string want_path = dir.path() / "want.json";
    const std::string script_path = dir.path() / "check.py";
    const std::string output_path = dir.path() / "output.txt";
    std::ofstream(dsn_path, std::ios::binary) << build_dsn(input);
    std::ofstream(want_path) << expectations;
    std::ofstream(script_path) << kPythonCheck;
    const std::string command = "/usr/bin/python3 " + script_path + " " + dsn_path + " " +
                                want_path + " > " + output_path + " 2>&1";
    const int status = std::system(command.c_str());
    std::stringstream output;
    output << std::ifstream(output_path).rdbuf();
    EXPECT_EQ(status, 0) << "python3 found problems:\n" << output.str();
}

}  // namespace
}  // namespace sluice::daemon::dsn
