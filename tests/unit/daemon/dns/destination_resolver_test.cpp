#include "daemon/dns/destination_resolver.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <set>

#include "dnsmasq_server.hpp"
#include "run_coroutine.hpp"

namespace sluice::daemon::dns {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::DnsmasqServer;
using testing::run;

std::string describe(const RouteResult& result) {
    std::string out = result.error ? (result.permanent ? "permanent " : "temporary ") +
                                         result.enhanced + " " + result.text
                                   : "ok";
    if (result.lookup_failed) out += " [lookup failed]";
    for (const auto& destination : result.destinations) {
        out += " | " + destination.mx_host + ":" + std::to_string(destination.port);
        for (const auto& address : destination.addresses) out += " " + address.to_string();
    }
    return out;
}

class DestinationResolverTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!DnsmasqServer::available()) GTEST_SKIP() << testing::kDnsmasq << " is not installed";
        dnsmasq_ = std::make_unique<DnsmasqServer>(std::vector<std::string>{
            "--local-ttl=60",
            "--mx-host=a.test,mx2.a.test,20",
            "--mx-host=a.test,mx1.a.test,10",
            "--host-record=mx1.a.test,127.0.0.2",
            "--host-record=mx2.a.test,127.0.0.3,::3",
            "--mx-host=eq.test,mxa.eq.test,10",
            "--mx-host=eq.test,mxb.eq.test,10",
            "--host-record=mxa.eq.test,127.0.0.10",
            "--host-record=mxb.eq.test,127.0.0.11",
            "--host-record=implicit.test,127.0.0.4",
            "--mx-host=nullmx.test,.,0",
            "--mx-host=partial.test,missing.test,10",
            "--mx-host=partial.test,mx1.a.test,20",
            "--mx-host=broken.test,missing.test,10",
            "--mx-host=broken.test,gone.test,20",
            "--mx-host=literal.test,127.0.0.1,10",
            "--txt-record=txtonly.test,hello",
        });
        ResolverSettings settings;
        settings.servers = {dnsmasq_->address()};
        resolver_ = std::make_unique<Resolver>(io_.get_executor(), settings);
    }
    void TearDown() override {
        resolver_.reset();
        io_.restart();
        io_.poll();
    }
    RouteResult route(const std::string& domain, std::uint16_t port = 25) {
        return run(io_, resolve_destinations(*resolver_, domain, port, rng_));
    }

    asio::io_context io_;
    std::unique_ptr<DnsmasqServer> dnsmasq_;
    std::unique_ptr<Resolver> resolver_;
    std::mt19937_64 rng_{12345};
};

TEST_F(DestinationResolverTest, Table) {
    struct Case {
        std::string domain;
        std::string want;
    };
    const Case cases[] = {
        {"a.test", "ok | mx1.a.test:2525 127.0.0.2 | mx2.a.test:2525 127.0.0.3 ::3"},
        {"implicit.test", "ok | implicit.test:2525 127.0.0.4"},
        {"nullmx.test", "permanent 5.1.10 Recipient address has null MX"},
        {"nx.test", "permanent 5.1.2 Domain not found"},
        {"bad..name", "permanent 5.1.2 Invalid domain name"},
        {"txtonly.test", "permanent 5.4.4 Domain has no mail exchanger and no address"},
        {"partial.test", "ok | mx1.a.test:2525 127.0.0.2"},  // missing.test is skipped
        {"broken.test", "temporary 4.4.4 No MX host has an address"},
        // An IP literal as MX target is looked up as a name; this dnsmasq refuses names
        // outside .test, so the lookup fails temporarily.
        {"literal.test",
         "temporary 4.4.3 DNS lookup failed: no usable answer from the DNS servers [lookup "
         "failed]"},
    };
    for (const auto& c : cases) {
        const std::string got = describe(route(c.domain, 2525));
        EXPECT_EQ(got, c.want) << c.domain << ": got \"" << got << "\", want \"" << c.want << "\"";
    }
}

TEST_F(DestinationResolverTest, PermanentFailuresCarryTheirErrors) {
    const auto null_mx = route("nullmx.test");
    EXPECT_EQ(null_mx.error, route_errc::null_mx);
    EXPECT_TRUE(null_mx.destinations.empty());
    const auto nx = route("nx.test");
    EXPECT_EQ(nx.error, errc::nxdomain);
    EXPECT_TRUE(nx.permanent);
}

TEST_F(DestinationResolverTest, EqualPreferenceOrderIsRandom) {
    std::set<std::string> orders;
    for (int i = 0; i < 40; ++i) {
        const auto result = route("eq.test");
        ASSERT_EQ(result.destinations.size(), 2u) << describe(result);
        orders.insert(result.destinations[0].mx_host + "," + result.destinations[1].mx_host);
    }
    const std::set<std::string> want = {"mxa.eq.test,mxb.eq.test", "mxb.eq.test,mxa.eq.test"};
    EXPECT_EQ(orders, want);
    // Lower preference always comes first, whatever the draw.
    for (int i = 0; i < 10; ++i) EXPECT_EQ(route("a.test").destinations[0].mx_host, "mx1.a.test");
}

TEST_F(DestinationResolverTest, MxHostsAreResolvedConcurrentlyAndCached) {
    route("a.test");
    route("a.test");
    EXPECT_EQ(dnsmasq_->count_queries("MX", "a.test"), 1);
    EXPECT_EQ(dnsmasq_->count_queries("A", "mx1.a.test"), 1);
    EXPECT_EQ(dnsmasq_->count_queries("AAAA", "mx2.a.test"), 1);
}

TEST_F(DestinationResolverTest, StaticRoutes) {
    struct Case {
        std::string host;
        std::string want;
    };
    const Case cases[] = {
        {"127.0.0.9", "ok | 127.0.0.9:2526 127.0.0.9"},
        {"[::1]", "ok | [::1]:2526 ::1"},
        {"::1", "ok | ::1:2526 ::1"},
        {"mx2.a.test", "ok | mx2.a.test:2526 127.0.0.3 ::3"},
        {"missing.test", "temporary 4.4.4 Route host not found: domain not found"},
    };
    for (const auto& c : cases) {
        const std::string got = describe(run(io_, resolve_host(*resolver_, c.host, 2526)));
        EXPECT_EQ(got, c.want) << c.host << ": got \"" << got << "\", want \"" << c.want << "\"";
    }
    EXPECT_EQ(dnsmasq_->count_queries("A", "127.0.0.9"), 0);  // literals need no DNS
}

TEST(DestinationResolverWithoutServer, DnsFailureIsTemporary) {
    testing::SilentServer silent;
    asio::io_context io;
    ResolverSettings settings;
    settings.servers = {silent.address()};
    settings.timeout = 100ms;
    settings.tries = 1;
    std::mt19937_64 rng{1};
    {
        Resolver resolver(io.get_executor(), settings);
        const auto got = run(io, resolve_destinations(resolver, "a.test", 25, rng));
        EXPECT_EQ(describe(got), "temporary 4.4.3 DNS lookup failed: timeout [lookup failed]");
        EXPECT_EQ(got.error, errc::timeout);
    }
    io.restart();
    io.poll();
}

}  // namespace
}  // namespace sluice::daemon::dns
