// Table tests for validate_config on hand-built Configs: each relation between settings, with
// errors located through SettingLocations.
#include "policy/config/validate.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace sluice::policy::config {
namespace {

std::string joined(const std::vector<ConfigError>& errors) {
    std::string text;
    for (const auto& error : errors) {
        text += error.to_string() + "\n";
    }
    return text;
}

Config base_config() {
    Config config;
    config.hostname = "mx.example.com";
    config.spool.directory = "spool";
    config.smtp.listen = {{"a", "127.0.0.1", 25}};
    return config;
}

TEST(ValidateConfig, Table) {
    struct Case {
        std::string name;
        std::function<void(Config&)> change;
        std::string want;
    } cases[] = {
        {"base config", [](Config&) {}, ""},
        {"no listeners (read_listeners reports that)", [](Config& c) { c.smtp.listen.clear(); },
         ""},
        {"duplicate listener",
         [](Config& c) {
             c.smtp.listen.push_back({"b", "127.0.0.1", 25});
         },
         "x.conf:7: smtp.listen.[1]: duplicate listener 127.0.0.1:25 (also smtp.listen.[0])\n"},
        {"same port, other address",
         [](Config& c) {
             c.smtp.listen.push_back({"b", "127.0.0.2", 25});
         },
         ""},
        {"same address, other port",
         [](Config& c) {
             c.smtp.listen.push_back({"b", "127.0.0.1", 26});
         },
         ""},
        {"IPv6 spellings of one address",
         [](Config& c) {
             c.smtp.listen = {{"a", "::1", 25}, {"b", "0::0:1", 25}, {"c", "::1", 25}};
         },
         "x.conf:7: smtp.listen.[1]: duplicate listener [::1]:25 (also smtp.listen.[0])\n"
         "x.conf:3: smtp.listen.[2]: duplicate listener [::1]:25 (also smtp.listen.[0])\n"},
        {"port 0 may repeat",
         [](Config& c) {
             c.smtp.listen = {{"a", "::1", 0}, {"b", "::1", 0}};
         },
         ""},
        {"unparsable addresses are skipped (already reported)",
         [](Config& c) {
             c.smtp.listen = {{"a", "bad", 25}, {"b", "bad", 25}};
         },
         ""},
        {"status on a listener", [](Config& c) { c.status.listen = "127.0.0.1:25"; },
         "x.conf:9: status.listen: address 127.0.0.1:25 is already used by smtp.listen.[0]\n"},
        {"status on port 0",
         [](Config& c) {
             c.smtp.listen[0].port = 0;
             c.status.listen = "127.0.0.1:0";
         },
         ""},
        {"per-ip above total",
         [](Config& c) {
             c.smtp.max_connections = 5;
             c.smtp.max_connections_per_ip = 6;
         },
         "x.conf:4: smtp.max_connections_per_ip: must not exceed smtp.max_connections (5)\n"},
        {"per-ip equal to total",
         [](Config& c) {
             c.smtp.max_connections = 5;
             c.smtp.max_connections_per_ip = 5;
         },
         ""},
        {"per-destination above total",
         [](Config& c) {
             c.delivery.max_connections = 4;
             c.delivery.max_connections_per_destination = 5;
         },
         "x.conf:12: delivery.max_connections_per_destination: must not exceed "
         "delivery.max_connections (4)\n"},
        {"per-destination equal to total",
         [](Config& c) {
             c.delivery.max_connections = 5;
             c.delivery.max_connections_per_destination = 5;
         },
         ""},
        {"distinct route domains",
         [](Config& c) {
             c.routes = {{{"a.test", "*.a.test"}, "127.0.0.1", 25}, {{"b.test", "*"}, "h", 25}};
         },
         ""},
        {"a domain in two routes",
         [](Config& c) {
             c.routes = {{{"a.test", "*"}, "127.0.0.1", 25}, {{"b.test", "a.test"}, "h", 25}};
         },
         "x.conf:21: routes.[1].domains.[1]: \"a.test\" is routed already by routes.[0]\n"},
        {"a domain twice in one route",
         [](Config& c) {
             c.routes = {{{"*", "*"}, "127.0.0.1", 25}};
         },
         "x.conf:20: routes.[0].domains.[1]: \"*\" is routed already by routes.[0]\n"},
        {"dane with loopback resolvers",
         [](Config& c) {
             c.delivery.dane = true;
             c.dns.servers = {"127.0.0.1:53", "127.0.0.53:53", "[::1]:5353"};
         },
         ""},
        {"dane with the resolvers of resolv.conf", [](Config& c) { c.delivery.dane = true; },
         "x.conf:14: delivery.dane: needs dns.servers set to a DNSSEC-validating resolver on "
         "loopback (the servers of resolv.conf are not trusted)\n"},
        {"dane with a remote resolver",
         [](Config& c) {
             c.delivery.dane = true;
             c.dns.servers = {"127.0.0.1:53", "192.0.2.53:53", "[2001:db8::53]:53"};
         },
         "x.conf:14: delivery.dane: needs every dns.servers entry on loopback (127.0.0.0/8 or "
         "::1): the AD bit of 192.0.2.53:53 could be forged on the way\n"
         "x.conf:14: delivery.dane: needs every dns.servers entry on loopback (127.0.0.0/8 or "
         "::1): the AD bit of [2001:db8::53]:53 could be forged on the way\n"},
        {"remote resolvers without dane", [](Config& c) { c.dns.servers = {"192.0.2.53:53"}; }, ""},
    };
    SettingLocations where({"x.conf", ""});
    where.record("smtp", nullptr, 3);
    where.record("smtp.listen.[1]", nullptr, 7);
    where.record("status.listen", nullptr, 9);
    where.record("smtp.max_connections_per_ip", "x.conf", 4);
    where.record("delivery.max_connections_per_destination", nullptr, 12);
    where.record("delivery.dane", nullptr, 14);
    where.record("routes.[0]", nullptr, 20);
    where.record("routes.[1]", nullptr, 21);
    for (const auto& c : cases) {
        Config config = base_config();
        c.change(config);
        // Paths not recorded (smtp.listen.[2]) are located at their nearest recorded parent.
        std::string got = joined(validate_config(config, where));
        EXPECT_EQ(got, c.want) << c.name << ": got\n" << got << "want\n" << c.want;
    }
}

}  // namespace
}  // namespace sluice::policy::config
