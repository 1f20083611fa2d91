#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "daemon/status/dashboard_page.hpp"
#include "daemon/status/prometheus_text.hpp"
#include "daemon/status/status_json.hpp"

namespace sluice::daemon::status {
namespace {

QueueView sample_queue() {
    QueueView q;
    q.name = "Gmail/192.0.2.10";
    q.isp = "Gmail";
    q.source = "192.0.2.10";
    q.queued = 3;
    q.deferred = 2;
    q.held = "isp";
    q.lock = LockView{"throttled", "421 4.7.0 slow down", "queue", 1700000000};
    q.allowed_per_hour = 1000;
    q.current_per_hour = 812.4;
    q.max_connections = 10;
    q.counts.delivered = 7;
    q.last_replies = {"250 ok"};
    q.next_attempt_unix = 1700000100;
    q.state = "held";
    q.detail = "held by an admin";
    return q;
}

TEST(PrometheusText, EscapesLabelValues) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"plain", "plain"}, {"a\"b", "a\\\"b"}, {"a\\b", "a\\\\b"}, {"a\nb", "a\\nb"}};
    for (const auto& [in, want] : cases) {
        EXPECT_EQ(escape_label_value(in), want)
            << "got " << escape_label_value(in) << ", want " << want;
    }
}

TEST(PrometheusText, HasLabelledQueueSeriesAndOneTypePerFamily) {
    StatusView s;
    s.version = "0.1.0";
    s.totals.accepted = 12;
    s.free_bytes = 1000;
    auto q = sample_queue();
    q.isp = "We\"ird";
    const auto text = prometheus_text(s, {q});
    EXPECT_NE(text.find("sluice_messages_accepted_total 12\n"), std::string::npos) << text;
    EXPECT_NE(
        text.find("sluice_queue_ready_recipients{isp=\"We\\\"ird\",source=\"192.0.2.10\"} 3\n"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("sluice_queue_recipients_total{isp=\"We\\\"ird\",source=\"192.0.2.10\","
                        "outcome=\"delivered\"} 7\n"),
              std::string::npos)
        << text;
    // Every family is declared once, and every sample line belongs to the last declared family.
    std::string family;
    std::set<std::string> seen;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = text.find('\n', start);
        const std::string line = text.substr(start, end - start);
        start = end + 1;
        if (line.starts_with("# TYPE ")) {
            family = line.substr(7, line.find(' ', 7) - 7);
            EXPECT_TRUE(seen.insert(family).second) << "family declared twice: " << family;
        } else if (!line.starts_with("#")) {
            EXPECT_TRUE(line.starts_with(family)) << "sample outside its family: " << line;
        }
    }
}

TEST(StatusJson, QueueFields) {
    const auto value = to_json(sample_queue());
    const auto& q = value.as_object();
    EXPECT_EQ(q.at("name").as_string(), "Gmail/192.0.2.10");
    EXPECT_EQ(q.at("queued").as_uint64(), 3u);
    EXPECT_EQ(q.at("held").as_string(), "isp");
    EXPECT_EQ(q.at("lock").as_object().at("rule").as_string(), "throttled");
    EXPECT_EQ(q.at("lock").as_object().at("until").as_int64(), 1700000000);
    EXPECT_EQ(q.at("rate").as_object().at("current_per_hour").as_int64(), 812);
    EXPECT_EQ(q.at("next_attempt").as_int64(), 1700000100);
    EXPECT_EQ(q.at("why").as_string(), "held by an admin");
    QueueView idle;
    const auto idle_value = to_json(idle);
    const auto& empty = idle_value.as_object();
    EXPECT_TRUE(empty.at("lock").is_null());
    EXPECT_TRUE(empty.at("held").is_null());
    EXPECT_TRUE(empty.at("next_attempt").is_null());
}

TEST(StatusJson, StatusFieldsAndErrorBody) {
    StatusView s;
    s.now_unix = 1000;
    s.started_unix = 900;
    s.last_reload_ok = false;
    s.last_reload_error = "sluice.conf:3: smtp: bad";
    const auto value = to_json(s);
    const auto& o = value.as_object();
    EXPECT_EQ(o.at("uptime_seconds").as_int64(), 100);
    EXPECT_EQ(o.at("config").as_object().at("last_reload_error").as_string(),
              "sluice.conf:3: smtp: bad");
    EXPECT_TRUE(o.at("spool").as_object().at("free_bytes").is_null());
    const auto error = boost::json::parse(error_body("no \"such\" thing"));
    EXPECT_EQ(error.as_object().at("error").as_string(), "no \"such\" thing");
}

// Issue 13 item 5: a failed accounting write was counted but shown nowhere.
TEST(StatusJson, Issue13ShowsAccountingFailures) {
    StatusView s;
    s.accounting = {3, 2, 40};
    const auto value = to_json(s);
    const auto& accounting = value.as_object().at("accounting").as_object();
    EXPECT_EQ(accounting.at("write_failures").as_uint64(), 3u);
    EXPECT_EQ(accounting.at("sync_failures").as_uint64(), 2u);
    EXPECT_EQ(accounting.at("syncs").as_uint64(), 40u);
}

TEST(PrometheusText, Issue13ShowsAccountingFailures) {
    StatusView s;
    s.accounting = {3, 2, 40};
    const auto text = prometheus_text(s, {});
    for (const char* want : {"# TYPE sluice_accounting_write_failures_total counter\n"
                             "sluice_accounting_write_failures_total 3\n",
                             "# TYPE sluice_accounting_sync_failures_total counter\n"
                             "sluice_accounting_sync_failures_total 2\n",
                             "sluice_accounting_syncs_total 40\n"}) {
        EXPECT_NE(text.find(want), std::string::npos) << "want " << want << "in\n" << text;
    }
}

TEST(Dashboard, SelfContained) {
    const auto page = dashboard_html();
    EXPECT_TRUE(page.starts_with("<!DOCTYPE html>"));
    for (std::string_view external : {"src=\"http", "href=\"http", "<link ", "@import", "//cdn"}) {
        EXPECT_EQ(page.find(external), std::string_view::npos) << external;
    }
    EXPECT_NE(page.find("fetch(\"queues?sort=waiting&limit=200\")"), std::string_view::npos);
}

}  // namespace
}  // namespace sluice::daemon::status
