#include "daemon/dns/resolver.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "dnsmasq_server.hpp"
#include "run_coroutine.hpp"

namespace sluice::daemon::dns {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::DnsmasqServer;
using testing::run;
using testing::run_all;
using Addresses = Lookup<std::vector<asio::ip::address>>;

const std::string kBigString(250, 'x');

std::vector<std::string> records(std::vector<std::string> extra = {}) {
    std::vector<std::string> all = {
        "--mx-host=a.test,mx1.a.test,10",
        "--mx-host=a.test,mx2.a.test,20",
        "--host-record=mx1.a.test,127.0.0.2",
        "--host-record=mx2.a.test,127.0.0.3",
        "--host-record=dual.test,127.0.0.5,::5",
        "--host-record=v6only.test,::6",
        "--host-record=a-name-longer-than-any-small-string-buffer.test,127.0.0.7",
        "--txt-record=t.test,v=spf1 -all",
        "--txt-record=multi.test,part one,part two",
        // Six 250-octet strings do not fit in UDP: c-ares must retry over TCP.
        "--txt-record=big.test," + kBigString + "," + kBigString + "," + kBigString + "," +
            kBigString + "," + kBigString + "," + kBigString,
    };
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
}

std::string join(const std::vector<asio::ip::address>& addresses) {
    std::string out;
    for (const auto& address : addresses) out += address.to_string() + " ";
    return out;
}

class ResolverTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!DnsmasqServer::available()) GTEST_SKIP() << testing::kDnsmasq << " is not installed";
    }
    void start(std::vector<std::string> extra = {}, ResolverSettings settings = {}) {
        dnsmasq_ = std::make_unique<DnsmasqServer>(records(std::move(extra)));
        settings.servers = {dnsmasq_->address()};
        resolver_ = std::make_unique<Resolver>(io_.get_executor(), settings);
    }
    void TearDown() override {
        resolver_.reset();
        io_.restart();
        io_.poll();  // the aborted waits of the channel's sockets and timer
    }

    asio::io_context io_;
    std::unique_ptr<DnsmasqServer> dnsmasq_;
    std::unique_ptr<Resolver> resolver_;
};

TEST_F(ResolverTest, MxRecordsWithTtl) {
    start({"--local-ttl=60"});
    auto got = run(io_, resolver_->lookup_mx("A.Test"));
    ASSERT_FALSE(got.error) << got.error.message();
    std::sort(got.value.begin(), got.value.end(),
              [](const MxRecord& a, const MxRecord& b) { return a.preference < b.preference; });
    const std::vector<MxRecord> want = {{10, "mx1.a.test"}, {20, "mx2.a.test"}};
    EXPECT_EQ(got.value, want);
    EXPECT_EQ(got.ttl, 60s);
}

TEST_F(ResolverTest, AddressesIpv4First) {
    start();
    struct Case {
        std::string host;
        std::error_code want_error;
        std::string want;
    };
    const Case cases[] = {
        {"dual.test", {}, "127.0.0.5 ::5 "},
        {"mx1.a.test", {}, "127.0.0.2 "},
        {"v6only.test", {}, "::6 "},
        {"a-name-longer-than-any-small-string-buffer.test", {}, "127.0.0.7 "},
        {"t.test", errc::no_data, ""},  // the name exists (TXT) but has no address
        {"missing.test", errc::nxdomain, ""},
    };
    for (const auto& c : cases) {
        const auto got = run(io_, resolver_->lookup_addresses(c.host));
        EXPECT_EQ(got.error, c.want_error)
            << c.host << ": got " << got.error.message() << ", want " << c.want_error.message();
        EXPECT_EQ(join(got.value), c.want)
            << c.host << ": got " << join(got.value) << ", want " << c.want;
    }
}

TEST_F(ResolverTest, NxdomainIsPermanent) {
    start();
    const auto got = run(io_, resolver_->lookup_mx("nx.test"));
    EXPECT_EQ(got.error, errc::nxdomain) << got.error.message();
    EXPECT_TRUE(is_permanent(got.error));
    EXPECT_TRUE(got.value.empty());
}

TEST_F(ResolverTest, TxtRecords) {
    start();
    struct Case {
        std::string name;
        std::vector<std::string> want;
    };
    const Case cases[] = {
        {"t.test", {"v=spf1 -all"}},
        {"multi.test", {"part onepart two"}},
        {"big.test", {std::string(6 * 250, 'x')}},  // over TCP
    };
    for (const auto& c : cases) {
        const auto got = run(io_, resolver_->lookup_txt(c.name));
        EXPECT_FALSE(got.error) << c.name << ": " << got.error.message();
        EXPECT_EQ(got.value, c.want) << c.name << ": got " << got.value.size() << " records";
    }
}

TEST_F(ResolverTest, BadNameSendsNoQuery) {
    start();
    const auto got = run(io_, resolver_->lookup_mx("a..test"));
    EXPECT_EQ(got.error, errc::bad_name) << got.error.message();
    EXPECT_TRUE(is_permanent(got.error));
}

TEST_F(ResolverTest, IdenticalLookupsInFlightAreCoalesced) {
    start({"--local-ttl=0"});  // TTL 0: nothing is cached, so only coalescing can save a query
    std::vector<asio::awaitable<Lookup<std::vector<MxRecord>>>> lookups;
    for (int i = 0; i < 3; ++i) lookups.push_back(resolver_->lookup_mx("a.test"));
    const auto got = run_all(io_, std::move(lookups));
    for (const auto& lookup : got) {
        EXPECT_FALSE(lookup.error) << lookup.error.message();
        EXPECT_EQ(lookup.value.size(), 2u);
    }
    EXPECT_EQ(dnsmasq_->count_queries("MX", "a.test"), 1);
    // With TTL 0 the next lookup asks again.
    run(io_, resolver_->lookup_mx("a.test"));
    EXPECT_EQ(dnsmasq_->count_queries("MX", "a.test"), 2);
}

TEST_F(ResolverTest, AddressLookupsAreCoalescedPerType) {
    start({"--local-ttl=0"});
    std::vector<asio::awaitable<Addresses>> lookups;
    lookups.push_back(resolver_->lookup_addresses("dual.test"));
    lookups.push_back(resolver_->lookup_addresses("dual.test"));
    const auto got = run_all(io_, std::move(lookups));
    EXPECT_EQ(join(got[0].value), "127.0.0.5 ::5 ");
    EXPECT_EQ(join(got[1].value), "127.0.0.5 ::5 ");
    EXPECT_EQ(dnsmasq_->count_queries("A", "dual.test"), 1);
    EXPECT_EQ(dnsmasq_->count_queries("AAAA", "dual.test"), 1);
}

TEST_F(ResolverTest, CachedAnswerSendsNoQuery) {
    start({"--local-ttl=60"});
    const auto first = run(io_, resolver_->lookup_mx("a.test"));
    const auto second = run(io_, resolver_->lookup_mx("A.TEST."));
    EXPECT_EQ(first.value, second.value);
    EXPECT_LE(second.ttl, first.ttl);
    EXPECT_GE(second.ttl, 59s);
    EXPECT_EQ(dnsmasq_->count_queries("MX", "a.test"), 1);
}

TEST_F(ResolverTest, CachedAnswerExpiresWithItsTtl) {
    start({"--local-ttl=1"});
    run(io_, resolver_->lookup_mx("a.test"));
    run(io_, resolver_->lookup_mx("a.test"));
    EXPECT_EQ(dnsmasq_->count_queries("MX", "a.test"), 1);
    std::this_thread::sleep_for(1100ms);  // the TTL itself is what is under test
    const auto third = run(io_, resolver_->lookup_mx("a.test"));
    EXPECT_FALSE(third.error);
    EXPECT_EQ(dnsmasq_->count_queries("MX", "a.test"), 2);
}

TEST_F(ResolverTest, MaxCacheTtlCapsTheTtl) {
    ResolverSettings settings;
    settings.max_cache_ttl = 5s;
    start({"--local-ttl=600"}, settings);
    const auto got = run(io_, resolver_->lookup_mx("a.test"));
    EXPECT_EQ(got.ttl, 5s);
}

// dnsmasq gives an SOA with negative answers only for zones it serves authoritatively.
std::vector<std::string> auth_zone() {
    return {"--auth-server=ns.neg.test,127.0.0.1", "--auth-zone=neg.test", "--auth-ttl=7",
            "--host-record=h.neg.test,127.0.0.9"};
}

TEST_F(ResolverTest, NegativeAnswersWithSoaAreCached) {
    start(auth_zone());
    struct Case {
        std::string name;
        std::error_code want;
    };
    const Case cases[] = {{"nx.neg.test", errc::nxdomain}, {"h.neg.test", errc::no_data}};
    for (const auto& c : cases) {
        const auto first = run(io_, resolver_->lookup_mx(c.name));
        const auto second = run(io_, resolver_->lookup_mx(c.name));
        EXPECT_EQ(first.error, c.want) << c.name << ": got " << first.error.message();
        EXPECT_EQ(second.error, c.want) << c.name << ": got " << second.error.message();
        EXPECT_EQ(first.ttl, 7s) << c.name << ": got " << first.ttl.count() << "s";
        EXPECT_EQ(dnsmasq_->count_queries("MX", c.name), 1) << c.name;
    }
}

TEST_F(ResolverTest, NegativeTtlIsCapped) {
    ResolverSettings settings;
    settings.max_negative_ttl = 2s;
    start(auth_zone(), settings);
    const auto got = run(io_, resolver_->lookup_mx("nx.neg.test"));
    EXPECT_EQ(got.error, errc::nxdomain);
    EXPECT_EQ(got.ttl, 2s);
}

TEST_F(ResolverTest, NegativeAnswerWithoutSoaIsNotCached) {
    start();  // plain --local answers carry no SOA (RFC 2308 §5: do not cache)
    run(io_, resolver_->lookup_mx("nx.test"));
    run(io_, resolver_->lookup_mx("nx.test"));
    EXPECT_EQ(dnsmasq_->count_queries("MX", "nx.test"), 2);
}

TEST_F(ResolverTest, RefusalIsATemporaryServerFailureAndNotCached) {
    ResolverSettings settings;
    settings.tries = 1;
    start(auth_zone(), settings);  // an authoritative-only dnsmasq refuses names outside its zone
    const auto got = run(io_, resolver_->lookup_mx("a.test"));
    EXPECT_EQ(got.error, errc::server_failure) << got.error.message();
    EXPECT_FALSE(is_permanent(got.error));
    run(io_, resolver_->lookup_mx("a.test"));
    EXPECT_EQ(dnsmasq_->count_queries("MX", "a.test"), 2);
}

class ResolverWithoutServer : public ::testing::Test {
  protected:
    static ResolverSettings settings_for(std::string server, std::chrono::milliseconds timeout,
                                         unsigned tries) {
        ResolverSettings settings;
        settings.servers = {std::move(server)};
        settings.timeout = timeout;
        settings.tries = tries;
        return settings;
    }

    asio::io_context io_;
};

TEST_F(ResolverWithoutServer, ClosedPortFailsFastAndTemporarily) {
    const auto closed = "127.0.0.1:" + std::to_string(testing::free_port());
    auto resolver = std::make_unique<Resolver>(io_.get_executor(), settings_for(closed, 300ms, 2));
    const auto started = std::chrono::steady_clock::now();
    const auto got = run(io_, resolver->lookup_mx("a.test"));
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(got.error, errc::server_failure) << got.error.message();
    EXPECT_FALSE(is_permanent(got.error));
    EXPECT_LT(took, 2s);
}

TEST_F(ResolverWithoutServer, SilentServerTimesOut) {
    testing::SilentServer silent;
    // 200 ms, then 400 ms
    Resolver resolver(io_.get_executor(), settings_for(silent.address(), 200ms, 2));
    const auto started = std::chrono::steady_clock::now();
    const auto got = run(io_, resolver.lookup_addresses("a.test"));
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(got.error, errc::timeout) << got.error.message();
    EXPECT_GE(took, 550ms);
    EXPECT_LT(took, 3s);
}

TEST_F(ResolverWithoutServer, CancelAllEndsPendingAndLaterLookups) {
    testing::SilentServer silent;
    Resolver resolver(io_.get_executor(), settings_for(silent.address(), 10s, 2));
    std::optional<Lookup<std::vector<MxRecord>>> pending;
    asio::co_spawn(io_, resolver.lookup_mx("a.test"),
                   [&](std::exception_ptr, Lookup<std::vector<MxRecord>> got) { pending = got; });
    io_.run_for(50ms);  // the query is sent and waits for an answer that never comes
    ASSERT_FALSE(pending);
    const auto started = std::chrono::steady_clock::now();
    resolver.cancel_all();
    while (!pending && std::chrono::steady_clock::now() - started < 5s) io_.run_one_for(100ms);
    ASSERT_TRUE(pending);
    EXPECT_EQ(pending->error, errc::shutting_down) << pending->error.message();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
    const auto later = run(io_, resolver.lookup_txt("t.test"));
    EXPECT_EQ(later.error, errc::shutting_down);
}

TEST_F(ResolverWithoutServer, BadServerListThrows) {
    EXPECT_THROW(Resolver(io_.get_executor(), settings_for("not an address", 1s, 1)),
                 std::runtime_error);
}

}  // namespace
}  // namespace sluice::daemon::dns
