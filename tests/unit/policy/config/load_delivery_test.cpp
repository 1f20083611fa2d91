// Tests for the dns, delivery, routes and accounting sections of sluice.conf(5) as read by
// load_config_text: tables of {config text, want errors}, then the model they fill.
#include "policy/config/load_delivery.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/config/load.hpp"
#include "tests/unit/policy/config/load_cases.hpp"

namespace sluice::policy::config {
namespace {

using namespace std::chrono_literals;
using testing::Case;
using testing::joined;
using testing::run;

// Lines 1-3: the required settings; `extra` starts on line 4.
std::string with(std::string_view extra) {
    return "hostname = \"mx.example.com\";\n"
           "spool = { directory = \"spool\"; };\n"
           "smtp = { listen = ( { address = \"127.0.0.1\"; port = 2525; } ); };\n" +
           std::string(extra) + "\n";
}

TEST(LoadDeliveryConfig, AcceptsValidSettings) {
    run({
        {"no new sections", with(""), {}},
        {"empty sections", with("dns = {}; delivery = {}; routes = (); accounting = {};"), {}},
        {"dns servers in every form",
         with("dns = { servers = [ \"127.0.0.1\", \"127.0.0.1:5353\", \"::1\", \"[::1]:53\" ]; };"),
         {}},
        {"empty dns servers (resolv.conf)", with("dns = { servers = []; };"), {}},
        {"helo address literals",
         with("delivery = { helo = \"[127.0.0.1]\"; };\n"
              "routes = ( { domains = [ \"*\" ]; host = \"::1\"; } );"),
         {}},
        {"helo IPv6 literal", with("delivery = { helo = \"[IPv6:::1]\"; };"), {}},
        {"one retry interval", with("delivery = { retry_intervals = [ \"30s\" ]; };"), {}},
        {"route to a host name",
         with("routes = ( { domains = [ \"Relay.Test\", \"*.relay.test\" ]; host = \"mx.test\"; "
              "port = 2526; } );"),
         {}},
        {"akmta accounting", with("accounting = { format = \"akmta\"; syslog = true; };"), {}},
        {"kv accounting", with("accounting = { format = \"kv\"; };"), {}},
        {"accounting sync", with("accounting = { sync = \"none\"; };"), {}},
    });
}

TEST(LoadDeliveryConfig, ReportsBadSettings) {
    run({
        {"unknown keys",
         with("dns = { server = [];\n};\ndelivery = {\n port = 25; retries = 3; };\n"
              "routes = ( { domains = [\"a.test\"]; host = \"h\"; via = 1; } );\n"
              "accounting = {\n path = \"x\"; };"),
         {"t.conf:4: dns.server: unknown setting", "t.conf:7: delivery.retries: unknown setting",
          "t.conf:8: routes.[0].via: unknown setting",
          "t.conf:10: accounting.path: unknown setting"}},
        {"dns server with a name",
         with("dns = { servers = [ \"127.0.0.1\",\n \"localhost:53\" ]; };"),
         {"t.conf:5: dns.servers.[1]: must be a numeric \"address\", \"address:port\" or "
          "\"[IPv6-address]:port\""}},
        {"dns server IPv6 with port but no brackets",
         with("dns = { servers = [ \"::1:5353x\" ]; };"),
         {"t.conf:4: dns.servers.[0]: must be a numeric \"address\", \"address:port\" or "
          "\"[IPv6-address]:port\""}},
        {"dns server on port 0",
         with("dns = { servers = [ \"127.0.0.1:0\" ]; };"),
         {"t.conf:4: dns.servers.[0]: port 0 is not a server port"}},
        {"dns tries",
         with("dns = { tries = 0; };"),
         {"t.conf:4: dns.tries: must be between 1 and 10 (got 0)"}},
        {"dns timeout without unit",
         with("dns = { timeout = 5; };"),
         {"t.conf:4: dns.timeout: a duration needs a unit: write \"5s\" for 5 seconds"}},
        {"dns ttl zero",
         with("dns = { max_negative_ttl = \"0s\"; };"),
         {"t.conf:4: dns.max_negative_ttl: must be greater than zero"}},
        {"delivery port 0",
         with("delivery = { port = 0; };"),
         {"t.conf:4: delivery.port: must be between 1 and 65535 (got 0)"}},
        {"source address a name",
         with("delivery = { source_address = \"mta1\"; };"),
         {"t.conf:4: delivery.source_address: not a numeric IPv4 or IPv6 address"}},
        {"bad helo",
         with("delivery = { helo = \"[::1]\"; };"),
         {"t.conf:4: delivery.helo: must be a host name or an address literal (\"[192.0.2.1]\", "
          "\"[IPv6:2001:db8::1]\")"}},
        {"zero limits",
         with("delivery = { max_recipients_per_transaction = 0;\n max_connections = 0;\n"
              " max_connections_per_destination = 0;\n max_messages_per_connection = 0; };"),
         {"t.conf:4: delivery.max_recipients_per_transaction: must be at least 1 (got 0)",
          "t.conf:5: delivery.max_connections: must be at least 1 (got 0)",
          "t.conf:6: delivery.max_connections_per_destination: must be at least 1 (got 0)",
          "t.conf:7: delivery.max_messages_per_connection: must be at least 1 (got 0)"}},
        {"per-destination above total",
         with("delivery = { max_connections = 2;\n max_connections_per_destination = 3; };"),
         {"t.conf:5: delivery.max_connections_per_destination: must not exceed "
          "delivery.max_connections (2)"}},
        {"bad timeouts",
         with("delivery = { connect_timeout = \"0s\";\n data_done_timeout = \"10 min\";\n"
              " queue_lifetime = 5; };"),
         {"t.conf:4: delivery.connect_timeout: must be greater than zero",
          "t.conf:5: delivery.data_done_timeout: not a valid duration (numbers with units ms, s, "
          "m, h, d, w, largest first, like \"1h30m\")",
          "t.conf:6: delivery.queue_lifetime: a duration needs a unit: write \"5s\" for 5 "
          "seconds"}},
        {"empty retry intervals",
         with("delivery = { retry_intervals = []; };"),
         {"t.conf:4: delivery.retry_intervals: at least one interval is required"}},
        {"bad retry intervals",
         with("delivery = { retry_intervals = ( \"5m\",\n 10, \"x\" ); };"),
         {"t.conf:5: delivery.retry_intervals.[1]: a duration needs a unit: write \"10s\" for 10 "
          "seconds",
          "t.conf:5: delivery.retry_intervals.[2]: not a valid duration (numbers with units ms, "
          "s, m, h, d, w, largest first, like \"1h30m\")"}},
        {"retry intervals as a string",
         with("delivery = { retry_intervals = \"5m\"; };"),
         {"t.conf:4: delivery.retry_intervals: expected an array of durations [ \"5m\", ... ], "
          "got a string"}},
        {"delay_warning zero",
         with("delivery = { delay_warning = \"0s\"; };"),
         {"t.conf:4: delivery.delay_warning: must be greater than zero"}},
        {"retry_possibly_delivered not a boolean",
         with("delivery = { retry_possibly_delivered = 1; };"),
         {"t.conf:4: delivery.retry_possibly_delivered: expected true or false, got an integer"}},
        {"mta_sts not a boolean, mta_sts_port 0",
         with("delivery = { mta_sts = \"yes\";\n mta_sts_port = 0; };"),
         {"t.conf:4: delivery.mta_sts: expected true or false, got a string",
          "t.conf:5: delivery.mta_sts_port: must be between 1 and 65535 (got 0)"}},
        {"route without domains or host",
         with("routes = ( { port = 25; } );"),
         {"t.conf:4: routes.[0].domains: at least one domain is required",
          "t.conf:4: routes.[0].host: required setting is missing"}},
        {"route with bad patterns",
         with("routes = ( { domains = [ \"a..test\", \"*a.test\", \"a.*.test\", \"*.*\" ];\n"
              " host = \"[127.0.0.1]\"; port = 0; } );"),
         {"t.conf:4: routes.[0].domains.[0]: must be a domain, \"*.domain\" (its subdomains) or "
          "\"*\"",
          "t.conf:4: routes.[0].domains.[1]: must be a domain, \"*.domain\" (its subdomains) or "
          "\"*\"",
          "t.conf:4: routes.[0].domains.[2]: must be a domain, \"*.domain\" (its subdomains) or "
          "\"*\"",
          "t.conf:4: routes.[0].domains.[3]: must be a domain, \"*.domain\" (its subdomains) or "
          "\"*\"",
          "t.conf:5: routes.[0].host: must be a host name or a numeric address (without "
          "brackets)",
          "t.conf:5: routes.[0].port: must be between 1 and 65535 (got 0)"}},
        {"a domain routed twice, in another case",
         with("routes = ( { domains = [ \"relay.test\" ]; host = \"a\"; },\n"
              "           { domains = [ \"RELAY.test\" ]; host = \"b\"; } );"),
         {"t.conf:5: routes.[1].domains.[0]: \"relay.test\" is routed already by routes.[0]"}},
        {"routes as a group",
         with("routes = { domains = [ \"a\" ]; host = \"b\"; };"),
         {"t.conf:4: routes: expected a list of groups ( { ... }, ... ), got a group"}},
        {"accounting format",
         with("accounting = { format = \"csv\"; };"),
         {"t.conf:4: accounting.format: must be \"json\", \"kv\" or \"akmta\""}},
        {"accounting sync",
         with("accounting = { sync = \"always\"; };"),
         {"t.conf:4: accounting.sync: must be \"none\" or \"batch\""}},
        {"accounting syslog as a string",
         with("accounting = { syslog = \"yes\"; };"),
         {"t.conf:4: accounting.syslog: expected true or false, got a string"}},
        {"accounting file empty",
         with("accounting = { file = \"\"; };"),
         {"t.conf:4: accounting.file: must not be empty"}},
    });
}

TEST(LoadDeliveryConfig, FillsTheModel) {
    LoadResult result = load_config_text(
        with("dns = { servers = [ \"127.0.0.1:5353\", \"::1\" ]; timeout = \"2s\"; tries = 3;\n"
             "  max_cache_ttl = \"10m\"; max_negative_ttl = \"30s\"; };\n"
             "delivery = { port = 2525; source_address = \"127.0.0.2\"; helo = \"out.example\";\n"
             "  max_recipients_per_transaction = 50; max_connections = 20;\n"
             "  max_connections_per_destination = 4; max_messages_per_connection = 7;\n"
             "  connect_timeout = \"1s\"; greeting_timeout = \"2s\"; command_timeout = \"3s\";\n"
             "  data_init_timeout = \"4s\"; data_block_timeout = \"5s\";\n"
             "  data_done_timeout = \"6s\"; idle_connection_timeout = \"7s\";\n"
             "  retry_intervals = [ \"1s\", \"1m\" ]; queue_lifetime = \"1h\";\n"
             "  delay_warning = \"30m\";\n"
             "  retry_possibly_delivered = false; mta_sts = false; mta_sts_port = 8443; };\n"
             "routes = ( { domains = [ \"Relay.Test\", \"*.relay.test\" ]; host = \"127.0.0.1\";\n"
             "             port = 2526; },\n"
             "           { domains = [ \"*\" ]; host = \"smarthost.test\"; } );\n"
             "accounting = { file = \"acct.jsonl\"; syslog = true; format = \"akmta\";\n"
             "               sync = \"batch\"; };"),
        "t.conf");
    ASSERT_TRUE(result.config) << joined(result.errors);
    const Config& c = *result.config;
    ASSERT_EQ(c.dns.servers.size(), 2u);
    EXPECT_EQ(c.dns.servers[0], "127.0.0.1:5353");
    EXPECT_EQ(c.dns.servers[1], "[::1]:53");
    EXPECT_EQ(c.dns.timeout, 2s);
    EXPECT_EQ(c.dns.tries, 3u);
    EXPECT_EQ(c.dns.max_cache_ttl, 10min);
    EXPECT_EQ(c.dns.max_negative_ttl, 30s);
    const DeliverySettings& d = c.delivery;
    EXPECT_EQ(d.port, 2525);
    EXPECT_EQ(d.source_address, "127.0.0.2");
    EXPECT_EQ(c.delivery_helo(), "out.example");
    EXPECT_EQ(d.max_recipients_per_transaction, 50u);
    EXPECT_EQ(d.max_connections, 20u);
    EXPECT_EQ(d.max_connections_per_destination, 4u);
    EXPECT_EQ(d.max_messages_per_connection, 7u);
    EXPECT_EQ(d.connect_timeout, 1s);
    EXPECT_EQ(d.greeting_timeout, 2s);
    EXPECT_EQ(d.command_timeout, 3s);
    EXPECT_EQ(d.data_init_timeout, 4s);
    EXPECT_EQ(d.data_block_timeout, 5s);
    EXPECT_EQ(d.data_done_timeout, 6s);
    EXPECT_EQ(d.idle_connection_timeout, 7s);
    EXPECT_EQ(d.retry_intervals, (std::vector<Duration>{1s, 1min}));
    EXPECT_EQ(d.queue_lifetime, 1h);
    EXPECT_EQ(d.delay_warning, Duration(30min));
    EXPECT_FALSE(d.retry_possibly_delivered);
    EXPECT_FALSE(d.mta_sts);
    EXPECT_EQ(d.mta_sts_port, 8443);
    ASSERT_EQ(c.routes.size(), 2u);
    EXPECT_EQ(c.routes[0].domains, (std::vector<std::string>{"relay.test", "*.relay.test"}));
    EXPECT_EQ(c.routes[0].host, "127.0.0.1");
    EXPECT_EQ(c.routes[0].port, 2526);
    EXPECT_EQ(c.routes[1].domains, (std::vector<std::string>{"*"}));
    EXPECT_EQ(c.routes[1].host, "smarthost.test");
    EXPECT_EQ(c.routes[1].port, 2525) << "a route without a port takes delivery.port";
    EXPECT_EQ(c.accounting.file, "acct.jsonl");
    EXPECT_TRUE(c.accounting.syslog);
    EXPECT_EQ(c.accounting.format, AccountingFormat::akmta);
    EXPECT_EQ(c.accounting.sync, AccountingSync::batch);
}

TEST(LoadDeliveryConfig, AppliesDefaults) {
    LoadResult result =
        load_config_text(with("routes = ( { domains = [\"a.test\"]; host = \"h\"; } );"), "t.conf");
    ASSERT_TRUE(result.config) << joined(result.errors);
    const Config& c = *result.config;
    EXPECT_TRUE(c.dns.servers.empty());
    EXPECT_EQ(c.dns.timeout, 5s);
    EXPECT_EQ(c.dns.tries, 2u);
    EXPECT_EQ(c.dns.max_cache_ttl, 1h);
    EXPECT_EQ(c.dns.max_negative_ttl, 5min);
    const DeliverySettings& d = c.delivery;
    EXPECT_EQ(d.port, 25);
    EXPECT_EQ(d.source_address, "");
    EXPECT_EQ(c.delivery_helo(), "mx.example.com");
    EXPECT_EQ(d.max_recipients_per_transaction, 100u);
    EXPECT_EQ(d.max_connections, 200u);
    EXPECT_EQ(d.max_connections_per_destination, 10u);
    EXPECT_EQ(d.max_messages_per_connection, 100u);
    EXPECT_EQ(d.connect_timeout, 30s);
    EXPECT_EQ(d.greeting_timeout, 5min);
    EXPECT_EQ(d.command_timeout, 5min);
    EXPECT_EQ(d.data_init_timeout, 2min);
    EXPECT_EQ(d.data_block_timeout, 3min);
    EXPECT_EQ(d.data_done_timeout, 10min);
    EXPECT_EQ(d.idle_connection_timeout, 5s);
    EXPECT_EQ(d.retry_intervals, (std::vector<Duration>{5min, 10min, 20min, 40min, 1h, 2h}));
    EXPECT_EQ(d.queue_lifetime, 120h);
    EXPECT_FALSE(d.delay_warning.has_value()) << "no delay warnings unless asked for";
    EXPECT_TRUE(d.retry_possibly_delivered);
    EXPECT_TRUE(d.mta_sts);
    EXPECT_EQ(d.mta_sts_port, 443);
    ASSERT_EQ(c.routes.size(), 1u);
    EXPECT_EQ(c.routes[0].port, 25);
    EXPECT_EQ(c.accounting.file, "");
    EXPECT_FALSE(c.accounting.syslog);
    EXPECT_EQ(c.accounting.format, AccountingFormat::json);
    EXPECT_EQ(c.accounting.sync, AccountingSync::none);
}

}  // namespace
}  // namespace sluice::policy::config
