// Tests for the accounting line formats: JSON lines parsed back with Boost.JSON (including
// hostile and invalid-UTF-8 text), the kv quoting table, AKMTA lines parsed back field by
// field (issue 13 item 6), and ISO time formatting.
#include "daemon/acclog/record_format.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sluice::daemon::acclog {
namespace {

AccountingRecord sample_record() {
    AccountingRecord r;
    r.time_unix_us = 1'700'000'000'123'456;
    r.type = "attempt";
    r.queue_id = "0123456789ABCDEF";
    r.message_id = "<m1@example.org>";
    r.sender = "alice@example.org";
    r.recipient = "bob@example.net";
    r.queue = "example.net";
    r.source_ip = "127.0.0.1";
    r.mx_host = "mx1.example.net";
    r.mx_ip = "127.0.0.2";
    r.reply = "250 2.0.0 Ok: queued as 12345";
    r.enhanced_code = "2.0.0";
    r.outcome = Outcome::delivered;
    r.attempt = 3;
    r.duration_ms = 42;
    return r;
}

TEST(FormatJson, RoundTripsThroughAParser) {
    struct Case {
        std::string name;
        std::string reply;
        std::string want_reply;  // after parsing
    } cases[] = {
        {"plain", "250 2.0.0 Ok", "250 2.0.0 Ok"},
        {"quotes and backslashes", "550 \"no\" \\ here", "550 \"no\" \\ here"},
        {"line breaks", "550-first\r\n550 second\n", "550-first\r\n550 second\n"},
        {"control bytes", std::string("a\0b\x01\x7f", 5), std::string("a\0b\x01\x7f", 5)},
        {"valid UTF-8", "550 caf\xc3\xa9 \xf0\x9f\x93\xa7", "550 caf\xc3\xa9 \xf0\x9f\x93\xa7"},
        {"invalid UTF-8", "550 \xff\xc3(\xe0\x80\x80 \xed\xa0\x80 \xf4\x90\x80\x80",
         "550 \xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
         "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        {"truncated sequence at the end", "x\xe2\x82", "x\xef\xbf\xbd\xef\xbf\xbd"},
    };
    for (const auto& c : cases) {
        AccountingRecord record = sample_record();
        record.reply = c.reply;
        const std::string line = format_json(record);
        ASSERT_FALSE(line.empty());
        EXPECT_EQ(line.back(), '\n') << c.name;
        EXPECT_EQ(line.find('\n'), line.size() - 1) << c.name << ": one line per record";
        boost::system::error_code ec;
        boost::json::value parsed = boost::json::parse(line, ec);
        ASSERT_FALSE(ec) << c.name << ": " << ec.message() << "\n" << line;
        const boost::json::object& o = parsed.as_object();
        const std::string got(o.at("reply").as_string());
        EXPECT_EQ(got, c.want_reply) << c.name << ": got " << got << ", want " << c.want_reply;
        EXPECT_EQ(o.at("time").as_string(), "2023-11-14T22:13:20.123456Z");
        EXPECT_EQ(o.at("time_unix_us").as_int64(), record.time_unix_us);
        EXPECT_EQ(o.at("type").as_string(), "attempt");
        EXPECT_EQ(o.at("queue_id").as_string(), record.queue_id);
        EXPECT_EQ(o.at("message_id").as_string(), record.message_id);
        EXPECT_EQ(o.at("sender").as_string(), record.sender);
        EXPECT_EQ(o.at("recipient").as_string(), record.recipient);
        EXPECT_EQ(o.at("queue").as_string(), record.queue);
        EXPECT_EQ(o.at("source_ip").as_string(), record.source_ip);
        EXPECT_EQ(o.at("mx_host").as_string(), record.mx_host);
        EXPECT_EQ(o.at("mx_ip").as_string(), record.mx_ip);
        EXPECT_EQ(o.at("enhanced_code").as_string(), record.enhanced_code);
        EXPECT_EQ(o.at("outcome").as_string(), to_string(record.outcome));
        EXPECT_EQ(o.at("attempt").as_int64(), 3);
        EXPECT_EQ(o.at("duration_ms").as_int64(), 42);
        EXPECT_EQ(o.at("dsn_queue_id").as_string(), "");
        EXPECT_EQ(o.at("bounce_class").as_string(), "");
        EXPECT_EQ(o.size(), 22u);
    }
}

TEST(FormatJson, FieldOrderIsFixed) {
    AccountingRecord record;
    record.type = "final";
    record.outcome = Outcome::bounced;
    record.dsn_queue_id = "0123456789ABCDEG";
    record.bounce_class = "hard";
    record.bounce_category = "bad-mailbox";
    record.bounce_pattern = "gmail-no-user";
    const std::string want =
        "{\"time\":\"1970-01-01T00:00:00.000000Z\",\"time_unix_us\":0,\"type\":\"final\","
        "\"queue_id\":\"\",\"message_id\":\"\",\"sender\":\"\",\"recipient\":\"\",\"queue\":\"\","
        "\"source_ip\":\"\",\"mx_host\":\"\",\"mx_ip\":\"\",\"attempt\":0,\"duration_ms\":0,"
        "\"outcome\":\"bounced\",\"enhanced_code\":\"\",\"reply\":\"\","
        "\"dsn_queue_id\":\"0123456789ABCDEG\",\"bounce_class\":\"hard\","
        "\"bounce_category\":\"bad-mailbox\",\"bounce_pattern\":\"gmail-no-user\",\"auth_user\":"
        "\"\",\"tls\":\"\"}\n";
    const std::string got = format_json(record);
    EXPECT_EQ(got, want) << "got " << got << "want " << want;
}

TEST(FormatKv, Table) {
    const std::string prefix =
        "time=2023-11-14T22:13:20.123456Z time_unix_us=1700000000123456 type=attempt "
        "queue_id=0123456789ABCDEF message_id=<m1@example.org> sender=alice@example.org "
        "recipient=bob@example.net queue=example.net source_ip=127.0.0.1 "
        "mx_host=mx1.example.net mx_ip=127.0.0.2 attempt=3 duration_ms=42 outcome=delivered "
        "enhanced_code=2.0.0 reply=";
    struct Case {
        std::string reply;
        std::string want;  // the reply's value as written
    } cases[] = {
        {"Ok", "Ok"},
        {"250 2.0.0 Ok", "\"250 2.0.0 Ok\""},
        {"", "\"\""},
        {"a=b", "\"a=b\""},
        {"say \"hi\"", "\"say \\\"hi\\\"\""},
        {"back\\slash", "\"back\\\\slash\""},
        {"l1\r\nl2\tx", "\"l1\\r\\nl2\\tx\""},
        {std::string("nul\0bel\x07", 8), "\"nul\\x00bel\\x07\""},
        {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
        {"bad\xff", "\"bad\xef\xbf\xbd\""},
    };
    for (const auto& c : cases) {
        AccountingRecord record = sample_record();
        record.reply = c.reply;
        const std::string got = format_kv(record);
        const std::string want = prefix + c.want +
                                 " dsn_queue_id=\"\" bounce_class=\"\" bounce_category=\"\""
                                 " bounce_pattern=\"\" auth_user=\"\" tls=\"\"\n";
        EXPECT_EQ(got, want) << "got  " << got << "want " << want;
    }
}

// An AKMTA line taken apart: the date and time, then each single-quoted field unescaped
// (\' \\ \r \n \t \xHH). nullopt if the line does not have that shape.
struct AkmtaLine {
    std::string time;
    std::vector<std::string> fields;
};

std::optional<AkmtaLine> parse_akmta(std::string_view line) {
    if (line.size() < 21 || line.back() != '\n' || line[19] != ' ') return std::nullopt;
    AkmtaLine parsed{std::string(line.substr(0, 19)), {}};
    std::size_t i = 20;
    const std::size_t end = line.size() - 1;
    while (true) {
        if (i >= end || line[i] != '\'') return std::nullopt;
        std::string field;
        for (++i; i < end && line[i] != '\''; ++i) {
            if (line[i] != '\\') {
                field += line[i];
                continue;
            }
            if (++i >= end) return std::nullopt;
            switch (line[i]) {
                case 'r':
                    field += '\r';
                    break;
                case 'n':
                    field += '\n';
                    break;
                case 't':
                    field += '\t';
                    break;
                case 'x':
                    if (i + 2 >= end) return std::nullopt;
                    field += static_cast<char>(
                        std::stoi(std::string(line.substr(i + 1, 2)), nullptr, 16));
                    i += 2;
                    break;
                default:
                    field += line[i];  // \' and \\ (anything else would be a bug)
            }
        }
        if (i >= end) return std::nullopt;  // no closing quote
        parsed.fields.push_back(std::move(field));
        if (++i == end) return parsed;
        if (line[i] != ',') return std::nullopt;
        ++i;
    }
}

// The record of the example in AKMTA's documentation, as far as Sluice has its fields:
//   2024/10/28 12:16:31 '1|2|Gmail|18029cdf9235cc8d','10','1','Gmail','231.127.65.9',
//   'noreply@templating.net','templating.net','zxhcgvxhjx32423@gmail.com','116.69.16.162',
//   'gmail-smtp-in.l.google.com.','500 dial tcp ...: i/o timeout','undefined','DIAL','3',
//   '68','7','0','abcdefghIJklmnoP-123QrstuvwXYz','asikjbyrinnvjfikdig123-dfgretyhvvbvasdaa',
//   '<nil>'
AccountingRecord akmta_example() {
    AccountingRecord r;
    r.time_unix_us = 1'730'117'791'000'000;  // 2024-10-28 12:16:31 UTC
    r.type = "attempt";
    r.queue_id = "0123456789ABCDEF";
    r.message_id = "<abcdefghIJklmnoP-123QrstuvwXYz@templating.net>";
    r.sender = "noreply@templating.net";
    r.recipient = "zxhcgvxhjx32423@gmail.com";
    r.queue = "Gmail/231.127.65.9";
    r.source_ip = "231.127.65.9";
    r.mx_host = "gmail-smtp-in.l.google.com.";
    r.mx_ip = "116.69.16.162";
    r.reply = "451 4.4.1 Connection timed out";
    r.enhanced_code = "4.4.1";
    r.outcome = Outcome::deferred;
    r.attempt = 1;
    r.duration_ms = 30000;
    r.bounce_class = "soft";
    return r;
}

TEST(FormatAkmta, Issue13WholeLineHasAkmtasShape) {
    const std::string got = format_akmta(akmta_example());
    const std::string want =
        "2024/10/28 12:16:31 '0123456789ABCDEF','','','Gmail','231.127.65.9',"
        "'noreply@templating.net','templating.net','zxhcgvxhjx32423@gmail.com',"
        "'116.69.16.162','gmail-smtp-in.l.google.com.','451 4.4.1 Connection timed out',"
        "'deferred','DIAL','','','','',"
        "'<abcdefghIJklmnoP-123QrstuvwXYz@templating.net>',"
        "'abcdefghIJklmnoP-123QrstuvwXYz@templating.net','<nil>'\n";
    EXPECT_EQ(got, want) << "got  " << got << "want " << want;
}

TEST(FormatAkmta, Issue13FieldByField) {
    AccountingRecord record = akmta_example();
    record.reply = "550 5.1.1 <zxhcgvxhjx32423@gmail.com>: no such user";
    record.enhanced_code = "5.1.1";
    record.outcome = Outcome::bounced;
    const auto parsed = parse_akmta(format_akmta(record));
    ASSERT_TRUE(parsed) << format_akmta(record);
    EXPECT_EQ(parsed->time, "2024/10/28 12:16:31");
    struct Case {
        const char* field;
        std::string want;
    } cases[] = {
        {"local storage id", "0123456789ABCDEF"},
        {"template id", ""},
        {"sender (MTA) id", ""},
        {"ISP name", "Gmail"},
        {"sender IP", "231.127.65.9"},
        {"sender address", "noreply@templating.net"},
        {"sender domain", "templating.net"},
        {"recipient", "zxhcgvxhjx32423@gmail.com"},
        {"MX IP", "116.69.16.162"},
        {"MX host", "gmail-smtp-in.l.google.com."},
        {"server response", "550 5.1.1 <zxhcgvxhjx32423@gmail.com>: no such user"},
        {"status", "bounced"},
        {"command", "RCPT"},
        {"account id", ""},
        {"mailing id", ""},
        {"database id", ""},
        {"resource id", ""},
        {"full message id", "<abcdefghIJklmnoP-123QrstuvwXYz@templating.net>"},
        {"email-safe message id", "abcdefghIJklmnoP-123QrstuvwXYz@templating.net"},
        {"extra error", "<nil>"},
    };
    ASSERT_EQ(parsed->fields.size(), std::size(cases));
    for (std::size_t i = 0; i < std::size(cases); ++i) {
        EXPECT_EQ(parsed->fields[i], cases[i].want)
            << "field " << i + 1 << " (" << cases[i].field << "): got " << parsed->fields[i]
            << ", want " << cases[i].want;
    }
}

TEST(FormatAkmta, Issue13NullSenderFinalRecordAndQueueWithoutSource) {
    AccountingRecord record = akmta_example();
    record.type = "final";
    record.sender = "";
    record.queue = "example.net";
    record.outcome = Outcome::delivered;
    const auto parsed = parse_akmta(format_akmta(record));
    ASSERT_TRUE(parsed);
    ASSERT_EQ(parsed->fields.size(), 20u);
    EXPECT_EQ(parsed->fields[3], "example.net") << "ISP name";
    EXPECT_EQ(parsed->fields[5], "") << "sender address";
    EXPECT_EQ(parsed->fields[6], "") << "sender domain";
    EXPECT_EQ(parsed->fields[11], "final-delivered") << "status of a final record";
    EXPECT_EQ(parsed->fields[12], "DATA") << "command";
}

TEST(FormatAkmta, Issue13QuotingTable) {
    struct Case {
        std::string reply;
        std::string want;  // as written between the quotes
    } cases[] = {
        {"250 2.0.0 Ok", "250 2.0.0 Ok"},
        {"", ""},
        {"it's", "it\\'s"},
        {"''", "\\'\\'"},
        {"a,b 'c'", "a,b \\'c\\'"},
        {"back\\slash", "back\\\\slash"},
        {"say \"hi\"", "say \"hi\""},
        {"l1\r\nl2\tx", "l1\\r\\nl2\\tx"},
        {std::string("nul\0bel\x07\x7f", 9), "nul\\x00bel\\x07\\x7f"},
        {"caf\xc3\xa9", "caf\xc3\xa9"},
        {"bad\xff", "bad\xef\xbf\xbd"},
    };
    for (const auto& c : cases) {
        AccountingRecord record = akmta_example();
        record.reply = c.reply;
        const std::string line = format_akmta(record);
        const std::string field = ",'" + c.want + "','deferred',";
        EXPECT_NE(line.find(field), std::string::npos)
            << "got  " << line << "want the field " << field;
        EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line per record";
        const auto parsed = parse_akmta(line);
        ASSERT_TRUE(parsed) << line;
        ASSERT_EQ(parsed->fields.size(), 20u) << line;
        if (c.reply != "bad\xff") {
            EXPECT_EQ(parsed->fields[10], c.reply) << "round trip of " << line;
        }
    }
}

TEST(FormatAkmta, Issue13CommandTheResponseAnswered) {
    struct Case {
        Outcome outcome;
        std::string mx_ip;
        std::string enhanced;
        std::string want;
    } cases[] = {
        {Outcome::deferred, "", "4.4.3", "DIAL"},  // DNS: never connected
        {Outcome::bounced, "", "5.1.2", "DIAL"},   // null MX, NXDOMAIN
        {Outcome::deferred, "192.0.2.1", "4.4.1", "DIAL"},
        {Outcome::delivered, "192.0.2.1", "2.0.0", "DATA"},
        {Outcome::delivered, "192.0.2.1", "", "DATA"},
        {Outcome::possibly_delivered, "192.0.2.1", "4.4.2", "DATA"},
        {Outcome::bounced, "192.0.2.1", "5.1.1", "RCPT"},
        {Outcome::deferred, "192.0.2.1", "4.2.2", "RCPT"},
        {Outcome::bounced, "192.0.2.1", "5.1.8", "MAIL"},
        {Outcome::bounced, "192.0.2.1", "5.1.7", "MAIL"},
        {Outcome::bounced, "192.0.2.1", "5.3.4", "DATA"},
        {Outcome::bounced, "192.0.2.1", "5.6.0", "DATA"},
        {Outcome::deferred, "192.0.2.1", "4.7.0", ""},
        {Outcome::deferred, "192.0.2.1", "", ""},
        {Outcome::bounced, "192.0.2.1", "5.1.10", "RCPT"},
        {Outcome::admin_cleared, "", "", ""},
    };
    for (const auto& c : cases) {
        AccountingRecord record = akmta_example();
        record.outcome = c.outcome;
        record.mx_ip = c.mx_ip;
        record.enhanced_code = c.enhanced;
        const auto parsed = parse_akmta(format_akmta(record));
        ASSERT_TRUE(parsed);
        ASSERT_EQ(parsed->fields.size(), 20u);
        EXPECT_EQ(parsed->fields[12], c.want)
            << to_string(c.outcome) << " " << c.mx_ip << " " << c.enhanced << ": got "
            << parsed->fields[12] << ", want " << c.want;
    }
}

TEST(FormatRecord, ChoosesTheFormat) {
    const AccountingRecord record = sample_record();
    EXPECT_EQ(format_record(record, policy::config::AccountingFormat::json), format_json(record));
    EXPECT_EQ(format_record(record, policy::config::AccountingFormat::kv), format_kv(record));
    EXPECT_EQ(format_record(record, policy::config::AccountingFormat::akmta), format_akmta(record));
}

TEST(FormatIsoTime, Table) {
    struct Case {
        std::int64_t unix_us;
        std::string want;
    } cases[] = {
        {0, "1970-01-01T00:00:00.000000Z"},
        {1, "1970-01-01T00:00:00.000001Z"},
        {951'782'400'000'000, "2000-02-29T00:00:00.000000Z"},
        {1'700'000'000'123'456, "2023-11-14T22:13:20.123456Z"},
        {4'102'444'799'999'999, "2099-12-31T23:59:59.999999Z"},
        {-1, "1969-12-31T23:59:59.999999Z"},
    };
    for (const auto& c : cases) {
        const std::string got = format_iso_time(c.unix_us);
        EXPECT_EQ(got, c.want) << c.unix_us << ": got " << got << ", want " << c.want;
    }
}

}  // namespace
}  // namespace sluice::daemon::acclog
