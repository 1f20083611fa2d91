#include "daemon/smtp/command.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <vector>

namespace sluice::daemon::smtp {
namespace {

const char* verb_name(Verb verb) {
    static constexpr const char* kNames[] = {"helo", "ehlo", "mail",     "rcpt", "data",
                                             "bdat", "rset", "noop",     "quit", "vrfy",
                                             "expn", "help", "starttls", "auth", "unknown"};
    return kNames[static_cast<int>(verb)];
}

// Results are compared as one line of text so a failing table row prints "got …, want …".
std::string describe(const std::variant<MailFrom, Reply>& result) {
    if (const Reply* reply = std::get_if<Reply>(&result)) return reply->summary();
    const MailFrom& mail = std::get<MailFrom>(result);
    std::string size = mail.size ? std::to_string(*mail.size) : "-";
    return fmt::format("<{}> size={} body={} utf8={} params=[{}]", mail.address, size,
                       static_cast<int>(mail.body_type), mail.smtputf8, mail.params);
}

std::string describe(const std::variant<RcptTo, Reply>& result) {
    if (const Reply* reply = std::get_if<Reply>(&result)) return reply->summary();
    const RcptTo& rcpt = std::get<RcptTo>(result);
    return fmt::format("<{}> params=[{}]", rcpt.address, rcpt.params);
}

std::string describe(const std::variant<Bdat, Reply>& result) {
    if (const Reply* reply = std::get_if<Reply>(&result)) return reply->summary();
    const Bdat& bdat = std::get<Bdat>(result);
    return fmt::format("{}{}", bdat.chunk_size, bdat.last ? " LAST" : "");
}

struct Case {
    std::string input;
    std::string want;
};

template <typename Parse>
void expect_table(const std::vector<Case>& cases, Parse parse) {
    for (const Case& c : cases) {
        std::string got = describe(parse(c.input));
        EXPECT_EQ(got, c.want) << "input " << testing::PrintToString(c.input) << ": got " << got
                               << ", want " << c.want;
    }
}

TEST(ParseCommand, VerbAndArgument) {
    const std::vector<Case> cases = {
        {"MAIL FROM:<a@b>", "mail [FROM:<a@b>]"},
        {"mail from:<a@b>", "mail [from:<a@b>]"},
        {"MaIl   FROM:<a@b>  ", "mail [FROM:<a@b>]"},
        {"RCPT TO:<a@b> NOTIFY=NEVER", "rcpt [TO:<a@b> NOTIFY=NEVER]"},
        {"EHLO client.example", "ehlo [client.example]"},
        {"helo x\ty", "helo [x\ty]"},
        {"HELO x\t", "helo [x]"},
        {"DATA", "data []"},
        {"data ", "data []"},
        {"BDAT 100 LAST", "bdat [100 LAST]"},
        {"RSET", "rset []"},
        {"NOOP anything", "noop [anything]"},
        {"QUIT", "quit []"},
        {"VRFY postmaster", "vrfy [postmaster]"},
        {"EXPN list", "expn [list]"},
        {"HELP", "help []"},
        {"STARTTLS", "starttls []"},
        {"AUTH PLAIN AGJvYgBwdw==", "auth [PLAIN AGJvYgBwdw==]"},
        {"", "unknown []"},
        {"MAILX", "unknown []"},
        {"MAI", "unknown []"},
        {" MAIL FROM:<a@b>", "unknown []"},
        {"EHLO\tx", "unknown []"},
        {"MAIL:FROM:<a@b>", "unknown []"},
        {std::string("MAIL\0FROM:<a@b>", 15), "unknown []"},
        {std::string("NOOP \0", 6), "unknown []"},
        {"NOOP \x01", "unknown []"},
        {"RSET\x7f", "unknown []"},
        {"DATA\r", "unknown []"},
        {"QUIT\x1b[0m", "unknown []"},
        {"\u00dcBER", "unknown []"},
    };
    for (const Case& c : cases) {
        Command command = parse_command(c.input);
        std::string got = fmt::format("{} [{}]", verb_name(command.verb), command.argument);
        EXPECT_EQ(got, c.want) << "input " << testing::PrintToString(c.input) << ": got " << got
                               << ", want " << c.want;
    }
}

const std::string kMailSyntax = "501 5.5.4 Syntax: MAIL FROM:<address>";
const std::string kBadSender = "501 5.1.7 Bad sender address syntax";
const std::string kRcptSyntax = "501 5.5.4 Syntax: RCPT TO:<address>";
const std::string kBadRecipient = "501 5.1.3 Bad recipient address syntax";
const std::string kNeedsUtf8 = "553 5.6.7 Non-ASCII address requires SMTPUTF8";

TEST(ParseMailFrom, Table) {
    const std::vector<Case> cases = {
        // The path and its brackets.
        {"FROM:<a@b.example>", "<a@b.example> size=- body=0 utf8=false params=[]"},
        {"from:<a@b.example>", "<a@b.example> size=- body=0 utf8=false params=[]"},
        {"FROM: <a@b.example>", "<a@b.example> size=- body=0 utf8=false params=[]"},
        {"FROM:  <a@b.example>", kMailSyntax},
        {"FROM:<>", "<> size=- body=0 utf8=false params=[]"},
        {"FROM:a@b.example", kMailSyntax},
        {"FROM:", kMailSyntax},
        {"", kMailSyntax},
        {"FROM", kMailSyntax},
        {"FROM <a@b.example>", kMailSyntax},
        {"TO:<a@b.example>", kMailSyntax},
        {"FROM:<a@b.example", kMailSyntax},
        {"FROM:<a@b.example>SIZE=1", kMailSyntax},
        {"FROM:<a@b.example>>", kMailSyntax},
        {"FROM:<<a@b.example>>", kMailSyntax},
        // Source routes are dropped (RFC 5321 Appendix C).
        {"FROM:<@a.example,@b.example:user@d.example>",
         "<user@d.example> size=- body=0 utf8=false params=[]"},
        {"FROM:<@a.example:user@d.example>", "<user@d.example> size=- body=0 utf8=false params=[]"},
        {"FROM:<@a.example,user@d.example>", kBadSender},
        {"FROM:<@:user@d.example>", kBadSender},
        {"FROM:<@a.example,:user@d.example>", kBadSender},
        {"FROM:<@a..example:user@d.example>", kBadSender},
        // Local parts.
        {"FROM:<\"a b\"@d.example>", "<\"a b\"@d.example> size=- body=0 utf8=false params=[]"},
        {"FROM:<\"a>b\"@d.example>", "<\"a>b\"@d.example> size=- body=0 utf8=false params=[]"},
        {"FROM:<\"a\\\"b\"@d.example>",
         "<\"a\\\"b\"@d.example> size=- body=0 utf8=false params=[]"},
        {"FROM:<\"a@b\"@d.example>", "<\"a@b\"@d.example> size=- body=0 utf8=false params=[]"},
        {"FROM:<a.b+tag@d.example>", "<a.b+tag@d.example> size=- body=0 utf8=false params=[]"},
        {"FROM:<!#$%&'*+-/=?^_`{|}~@d.example>",
         "<!#$%&'*+-/=?^_`{|}~@d.example> size=- body=0 utf8=false params=[]"},
        {"FROM:<\"unterminated@d.example>", kMailSyntax},
        {"FROM:<\"a\"b@d.example>", kBadSender},
        {"FROM:<a b@d.example>", kBadSender},
        {"FROM:<a..b@d.example>", kBadSender},
        {"FROM:<.a@d.example>", kBadSender},
        {"FROM:<a.@d.example>", kBadSender},
        {"FROM:<a(b)@d.example>", kBadSender},
        {"FROM:<@d.example>", kBadSender},
        {"FROM:<a@b@d.example>", kBadSender},
        {"FROM:<user>", kBadSender},
        {"FROM:<Postmaster>", kBadSender},
        {"FROM:<a\tb@d.example>", kBadSender},
        // Domains and address literals.
        {"FROM:<a@localhost>", "<a@localhost> size=- body=0 utf8=false params=[]"},
        {"FROM:<a@x-1.example>", "<a@x-1.example> size=- body=0 utf8=false params=[]"},
        {"FROM:<a@>", kBadSender},
        {"FROM:<a@d..example>", kBadSender},
        {"FROM:<a@.d.example>", kBadSender},
        {"FROM:<a@d.example.>", kBadSender},
        {"FROM:<a@-d.example>", kBadSender},
        {"FROM:<a@d-.example>", kBadSender},
        {"FROM:<a@d_x.example>", kBadSender},
        {"FROM:<a@[192.0.2.1]>", "<a@[192.0.2.1]> size=- body=0 utf8=false params=[]"},
        {"FROM:<a@[IPv6:2001:db8::1]>",
         "<a@[IPv6:2001:db8::1]> size=- body=0 utf8=false params=[]"},
        {"FROM:<a@[ipv6:::1]>", "<a@[ipv6:::1]> size=- body=0 utf8=false params=[]"},
        {"FROM:<a@[300.1.1.1]>", kBadSender},
        {"FROM:<a@[192.0.2]>", kBadSender},
        {"FROM:<a@[2001:db8::1]>", kBadSender},
        {"FROM:<a@[IPv6:zz]>", kBadSender},
        {"FROM:<a@[x-tag:content]>", kBadSender},
        {"FROM:<a@[]>", kBadSender},
        {"FROM:<a@[192.0.2.1>", kBadSender},
        // Parameters.
        {"FROM:<a@b.example> SIZE=100",
         "<a@b.example> size=100 body=0 utf8=false params=[SIZE=100]"},
        {"FROM:<> size=0", "<> size=0 body=0 utf8=false params=[size=0]"},
        {"FROM:<a@b.example> SIZE=18446744073709551615",
         "<a@b.example> size=18446744073709551615 body=0 utf8=false "
         "params=[SIZE=18446744073709551615]"},
        {"FROM:<a@b.example> SIZE=18446744073709551616", kMailSyntax},
        {"FROM:<a@b.example> SIZE=99999999999999999999999", kMailSyntax},
        {"FROM:<a@b.example> SIZE=1x", kMailSyntax},
        {"FROM:<a@b.example> SIZE=-1", kMailSyntax},
        {"FROM:<a@b.example> SIZE=", kMailSyntax},
        {"FROM:<a@b.example> SIZE", kMailSyntax},
        {"FROM:<a@b.example> SIZE=1 SIZE=2", kMailSyntax},
        {"FROM:<a@b.example> BODY=8BITMIME",
         "<a@b.example> size=- body=1 utf8=false params=[BODY=8BITMIME]"},
        {"FROM:<a@b.example> body=7bit",
         "<a@b.example> size=- body=0 utf8=false params=[body=7bit]"},
        {"FROM:<a@b.example> BODY=BINARYMIME", "555 5.5.4 Unsupported option: BODY=BINARYMIME"},
        {"FROM:<a@b.example> BODY=9BIT", kMailSyntax},
        {"FROM:<a@b.example> BODY", kMailSyntax},
        {"FROM:<a@b.example> BODY=7BIT BODY=7BIT", kMailSyntax},
        {"FROM:<a@b.example> SMTPUTF8", "<a@b.example> size=- body=0 utf8=true params=[SMTPUTF8]"},
        {"FROM:<a@b.example> SMTPUTF8=yes", kMailSyntax},
        {"FROM:<a@b.example> SMTPUTF8 SMTPUTF8", kMailSyntax},
        {"FROM:<a@b.example> XFOO=1", "555 5.5.4 Unsupported option: XFOO"},
        {"FROM:<a@b.example> x-y", "555 5.5.4 Unsupported option: x-y"},
        // RFC 4954 §5: AUTH= is accepted (and ignored); it needs a value.
        {"FROM:<a@b.example> AUTH=<>", "<a@b.example> size=- body=0 utf8=false params=[AUTH=<>]"},
        {"FROM:<a@b.example> AUTH", "501 5.5.4 Syntax: MAIL FROM:<address>"},
        // DSN parameters (RFC 3461 §4.3, §4.4).
        {"FROM:<a@b.example> RET=HDRS ENVID=x",
         "<a@b.example> size=- body=0 utf8=false params=[RET=HDRS ENVID=x]"},
        {"FROM:<a@b.example> ret=full", "<a@b.example> size=- body=0 utf8=false params=[ret=full]"},
        {"FROM:<a@b.example> ENVID=QQ+2B1+20x",
         "<a@b.example> size=- body=0 utf8=false params=[ENVID=QQ+2B1+20x]"},
        {"FROM:<a@b.example> RET=BODY", kMailSyntax},
        {"FROM:<a@b.example> RET", kMailSyntax},
        {"FROM:<a@b.example> RET=FULL RET=HDRS", kMailSyntax},
        {"FROM:<a@b.example> ENVID=a ENVID=b", kMailSyntax},
        {"FROM:<a@b.example> ENVID", kMailSyntax},
        {"FROM:<a@b.example> ENVID=a+0D+0Ab", kMailSyntax},  // decodes to CR LF
        {"FROM:<a@b.example> ENVID=a+00", kMailSyntax},
        {"FROM:<a@b.example> ENVID=a+7F", kMailSyntax},
        {"FROM:<a@b.example> ENVID=a+2", kMailSyntax},
        {"FROM:<a@b.example> ENVID=a+2b", kMailSyntax},  // hex digits are upper case
        {"FROM:<a@b.example> ENVID=a+ZZ", kMailSyntax},
        {"FROM:<a@b.example> ENVID=\xc3\xbc", kMailSyntax},  // raw octets outside "!".."~"
        {"FROM:<a@b.example> ENVID=" + std::string(100, 'e'),
         "<a@b.example> size=- body=0 utf8=false params=[ENVID=" + std::string(100, 'e') + "]"},
        {"FROM:<a@b.example> ENVID=" + std::string(101, 'e'), kMailSyntax},
        {"FROM:<a@b.example> =1", kMailSyntax},
        {"FROM:<a@b.example> -X=1", kMailSyntax},
        {"FROM:<a@b.example> X_Y=1", kMailSyntax},
        {"FROM:<a@b.example> SIZE=1=2", kMailSyntax},
        {"FROM:<a@b.example> SIZE=1\tBODY=7BIT", kMailSyntax},
        {"FROM:<a@b.example> SIZE=1 BODY=8BITMIME SMTPUTF8",
         "<a@b.example> size=1 body=1 utf8=true params=[SIZE=1 BODY=8BITMIME SMTPUTF8]"},
        {"FROM:<a@b.example>   SIZE=1   BODY=8BITMIME  ",
         "<a@b.example> size=1 body=1 utf8=false params=[SIZE=1   BODY=8BITMIME]"},
        {"FROM:<bad@> XFOO", kBadSender},
        // Non-ASCII needs the SMTPUTF8 parameter, wherever it appears.
        {"FROM:<\xc3\xbc@b.example>", kNeedsUtf8},
        {"FROM:<a@b\xc3\xbc.example>", kNeedsUtf8},
        {"FROM:<\xc3\xbc@b.example> SMTPUTF8",
         "<\xc3\xbc@b.example> size=- body=0 utf8=true params=[SMTPUTF8]"},
        {"FROM:<\xc3\xbc@b.example> SIZE=5 SMTPUTF8",
         "<\xc3\xbc@b.example> size=5 body=0 utf8=true params=[SIZE=5 SMTPUTF8]"},
        {"FROM:<\"\xc3\xbc x\"@b.example> SMTPUTF8",
         "<\"\xc3\xbc x\"@b.example> size=- body=0 utf8=true params=[SMTPUTF8]"},
        {"FROM:<\xff@b.example> SMTPUTF8", kBadSender},
        {"FROM:<\xc3@b.example> SMTPUTF8", kBadSender},
        {"FROM:<\xed\xa0\x80@b.example> SMTPUTF8", kBadSender},
        {"FROM:<\xc0\xaf@b.example> SMTPUTF8", kBadSender},
        {"FROM:<\xc3\xbc@b.example> XFOO", "555 5.5.4 Unsupported option: XFOO"},
    };
    expect_table(cases, [](std::string_view input) { return parse_mail_from(input); });
}

TEST(ParseMailFrom, AddressLengthLimit) {
    std::string domain = "@" + std::string(63, 'd') + "." + std::string(63, 'e') + ".example";
    std::string fits = std::string(256 - domain.size(), 'l') + domain;
    std::string over = "l" + fits;
    ASSERT_EQ(fits.size(), 256u);
    EXPECT_EQ(describe(parse_mail_from("FROM:<" + fits + ">")),
              "<" + fits + "> size=- body=0 utf8=false params=[]");
    EXPECT_EQ(describe(parse_mail_from("FROM:<" + over + ">")), kBadSender);
    std::string long_label = "a@" + std::string(64, 'd') + ".example";
    EXPECT_EQ(describe(parse_mail_from("FROM:<" + long_label + ">")), kBadSender);
}

TEST(ParseMailFrom, UnsupportedOptionEchoIsBounded) {
    std::string keyword(500, 'X');
    std::string got = describe(parse_mail_from("FROM:<a@b.example> " + keyword));
    EXPECT_EQ(got, "555 5.5.4 Unsupported option: " + std::string(64, 'X'));
}

TEST(ParseRcptTo, Table) {
    const std::vector<Case> cases = {
        {"TO:<a@b.example>", "<a@b.example> params=[]"},
        {"to: <a@b.example>", "<a@b.example> params=[]"},
        {"TO:  <a@b.example>", kRcptSyntax},
        {"TO:a@b.example", kRcptSyntax},
        {"TO:", kRcptSyntax},
        {"FROM:<a@b.example>", kRcptSyntax},
        {"TO:<a@b.example>x", kRcptSyntax},
        {"TO:<a@b.example", kRcptSyntax},
        {"TO:<Postmaster>", "<Postmaster> params=[]"},
        {"TO:<postmaster>", "<postmaster> params=[]"},
        {"TO:<POSTMASTER> NOTIFY=NEVER", "<POSTMASTER> params=[NOTIFY=NEVER]"},
        {"TO:<postmaster@b.example>", "<postmaster@b.example> params=[]"},
        {"TO:<user>", kBadRecipient},
        {"TO:<>", kBadRecipient},
        {"TO:<a..b@c.example>", kBadRecipient},
        {"TO:<a@[IPv6:::1]>", "<a@[IPv6:::1]> params=[]"},
        {"TO:<@r1.example,@r2.example:a@b.example>", "<a@b.example> params=[]"},
        {"TO:<\"x y\"@b.example>", "<\"x y\"@b.example> params=[]"},
        // Non-ASCII is the session's call (it knows the transaction's SMTPUTF8).
        {"TO:<\xc3\xbc@b.example>", "<\xc3\xbc@b.example> params=[]"},
        {"TO:<\xc3\xbc@\xc3\xa9.example>", "<\xc3\xbc@\xc3\xa9.example> params=[]"},
        {"TO:<\xff@b.example>", kBadRecipient},
        // DSN parameters (RFC 3461).
        {"TO:<a@b.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@b.example",
         "<a@b.example> params=[NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@b.example]"},
        {"TO:<a@b.example> notify=delay", "<a@b.example> params=[notify=delay]"},
        {"TO:<a@b.example> NOTIFY=NEVER", "<a@b.example> params=[NOTIFY=NEVER]"},
        {"TO:<a@b.example> NOTIFY=SUCCESS,FAILURE,DELAY",
         "<a@b.example> params=[NOTIFY=SUCCESS,FAILURE,DELAY]"},
        {"TO:<a@b.example> NOTIFY=NEVER,SUCCESS", kRcptSyntax},
        {"TO:<a@b.example> NOTIFY=SUCCESS,", kRcptSyntax},
        {"TO:<a@b.example> NOTIFY=,SUCCESS", kRcptSyntax},
        {"TO:<a@b.example> NOTIFY=SOMETIMES", kRcptSyntax},
        {"TO:<a@b.example> NOTIFY=", kRcptSyntax},
        {"TO:<a@b.example> NOTIFY", kRcptSyntax},
        {"TO:<a@b.example> NOTIFY=DELAY NOTIFY=DELAY", kRcptSyntax},
        {"TO:<a@b.example> ORCPT=rfc822;a+2Bb@c.example",
         "<a@b.example> params=[ORCPT=rfc822;a+2Bb@c.example]"},
        {"TO:<a@b.example> ORCPT=rfc822", kRcptSyntax},
        {"TO:<a@b.example> ORCPT=;a@b", kRcptSyntax},
        {"TO:<a@b.example> ORCPT=rfc822;", kRcptSyntax},
        {"TO:<a@b.example> ORCPT=rfc822;a ORCPT=rfc822;b", kRcptSyntax},
        // Strict xtext: a decoded CR LF would inject a header into the DSN.
        {"TO:<a@b.invalid> NOTIFY=FAILURE ORCPT=rfc822;a+0D+0ABcc:+20x@y", kRcptSyntax},
        {"TO:<a@b.example> ORCPT=rfc822;a+00@b", kRcptSyntax},
        {"TO:<a@b.example> ORCPT=rfc822;a+4@b", kRcptSyntax},
        {"TO:<a@b.example> ORCPT=rfc822;a+4g@b", kRcptSyntax},
        {"TO:<a@b.example> ORCPT=rfc822;a+2b@b", kRcptSyntax},
        {"TO:<a@b.example> ORCPT=rfc822;\xc3\xbc@b", kRcptSyntax},
        // addr-type ends at the first ";": a raw ";" is fine in xtext.
        {"TO:<a@b.example> ORCPT=rfc;822;a@b", "<a@b.example> params=[ORCPT=rfc;822;a@b]"},
        {"TO:<a@b.example> ORCPT=rfc 822;a@b", kRcptSyntax},
        {"TO:<a@b.example> ORCPT=rfc822;" + std::string(493, 'o'),
         "<a@b.example> params=[ORCPT=rfc822;" + std::string(493, 'o') + "]"},
        {"TO:<a@b.example> ORCPT=rfc822;" + std::string(494, 'o'), kRcptSyntax},
        {"TO:<a@b.example> SIZE=1", "555 5.5.4 Unsupported option: SIZE"},
        {"TO:<a@b.example> XRCPTFORWARD=x", "555 5.5.4 Unsupported option: XRCPTFORWARD"},
        {"TO:<a@b.example> =x", kRcptSyntax},
    };
    expect_table(cases, [](std::string_view input) { return parse_rcpt_to(input); });
}

TEST(ParseBdat, Table) {
    const std::string syntax = "501 5.5.4 Syntax: BDAT size [LAST]";
    const std::vector<Case> cases = {
        {"100", "100"},
        {"100 LAST", "100 LAST"},
        {"0 last", "0 LAST"},
        {"0 LaSt", "0 LAST"},
        {"100  LAST", "100 LAST"},
        {"100 LAST ", "100 LAST"},
        {"007", "7"},
        {"18446744073709551615", "18446744073709551615"},
        {"18446744073709551616", syntax},
        {"99999999999999999999", syntax},
        {"", syntax},
        {"LAST", syntax},
        {"LAST 100", syntax},
        {"100 LAST x", syntax},
        {"100 LAST LAST", syntax},
        {"100 FIRST", syntax},
        {"100 LASTX", syntax},
        {"100\tLAST", syntax},
        {"-1", syntax},
        {"+1", syntax},
        {"1x", syntax},
        {"0x10", syntax},
        {"1 000", syntax},
    };
    expect_table(cases, [](std::string_view input) { return parse_bdat(input); });
}

TEST(ParseCommand, ErrorRepliesMatchTheReplyTable) {
    auto wire = [](const auto& result) { return std::get<Reply>(result).to_wire(); };
    EXPECT_EQ(wire(parse_mail_from("FROM:x")), "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
    EXPECT_EQ(wire(parse_mail_from("FROM:<x>")), "501 5.1.7 Bad sender address syntax\r\n");
    EXPECT_EQ(wire(parse_rcpt_to("TO:x")), "501 5.5.4 Syntax: RCPT TO:<address>\r\n");
    EXPECT_EQ(wire(parse_rcpt_to("TO:<x>")), "501 5.1.3 Bad recipient address syntax\r\n");
    EXPECT_EQ(wire(parse_mail_from("FROM:<a@b> X")), "555 5.5.4 Unsupported option: X\r\n");
    EXPECT_EQ(wire(parse_mail_from("FROM:<\xc3\xa9@b>")),
              "553 5.6.7 Non-ASCII address requires SMTPUTF8\r\n");
    EXPECT_EQ(wire(parse_bdat("x")), "501 5.5.4 Syntax: BDAT size [LAST]\r\n");
}

TEST(IsAscii, Table) {
    struct AsciiCase {
        std::string input;
        bool want;
    };
    const std::vector<AsciiCase> cases = {
        {"", true},      {"a@b.example", true},         {"\x7f", true},
        {"\x80", false}, {"\xc3\xbc@b.example", false}, {"a@b\xff", false},
    };
    for (const AsciiCase& c : cases) {
        EXPECT_EQ(is_ascii(c.input), c.want) << "input " << testing::PrintToString(c.input)
                                             << ": got " << !c.want << ", want " << c.want;
    }
}

}  // namespace
}  // namespace sluice::daemon::smtp
