// Tests for the accounting line formats: JSON lines parsed back with Boost.JSON (including
// hostile and invalid-UTF-8 text), the akmta quoting table, and ISO time formatting.
#include "daemon/acclog/record_format.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

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
    r.outcome = "delivered";
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
        EXPECT_EQ(o.at("outcome").as_string(), record.outcome);
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
    record.outcome = "bounced";
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
        "\"bounce_category\":\"bad-mailbox\",\"bounce_pattern\":\"gmail-no-user\",\"auth_user\":\"\",\"tls\":\"\"}\n";
    const std::string got = format_json(record);
    EXPECT_EQ(got, want) << "got " << got << "want " << want;
}

TEST(FormatAkmta, Table) {
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
        const std::string got = format_akmta(record);
        const std::string want = prefix + c.want +
                                 " dsn_queue_id=\"\" bounce_class=\"\" bounce_category=\"\""
                                 " bounce_pattern=\"\" auth_user=\"\" tls=\"\"\n";
        EXPECT_EQ(got, want) << "got  " << got << "want " << want;
    }
}

TEST(FormatRecord, ChoosesTheFormat) {
    const AccountingRecord record = sample_record();
    EXPECT_EQ(format_record(record, policy::config::AccountingFormat::json), format_json(record));
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
