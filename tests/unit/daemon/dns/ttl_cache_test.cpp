#include "daemon/dns/ttl_cache.hpp"

#include <gtest/gtest.h>

#include "daemon/dns/errc.hpp"

namespace sluice::daemon::dns {
namespace {

using std::chrono::seconds;
using TimePoint = TtlCache::TimePoint;

const TimePoint kStart{std::chrono::hours{1000}};

Answer positive(seconds ttl) {
    return {{}, {{10, "mx.example.com"}}, ttl};
}
Answer negative(errc e, seconds ttl) {
    return {e, {}, ttl};
}

TEST(TtlCache, LifetimeTable) {
    const TtlCache cache({seconds{3600}, seconds{300}, 100});
    struct Case {
        const char* name;
        Answer answer;
        seconds want;
    };
    const Case cases[] = {
        {"positive under the cap", positive(seconds{60}), seconds{60}},
        {"positive capped", positive(seconds{86400}), seconds{3600}},
        {"positive TTL 0", positive(seconds{0}), seconds{0}},
        {"nxdomain with SOA", negative(errc::nxdomain, seconds{30}), seconds{30}},
        {"nxdomain capped", negative(errc::nxdomain, seconds{3600}), seconds{300}},
        {"no_data capped", negative(errc::no_data, seconds{900}), seconds{300}},
        {"nxdomain without SOA", negative(errc::nxdomain, seconds{0}), seconds{0}},
        {"timeout", negative(errc::timeout, seconds{60}), seconds{0}},
        {"servfail", negative(errc::server_failure, seconds{60}), seconds{0}},
        {"refused", negative(errc::refused, seconds{60}), seconds{0}},
        {"shutting down", negative(errc::shutting_down, seconds{60}), seconds{0}},
        {"success without records", {{}, {}, seconds{60}}, seconds{0}},
    };
    for (const auto& c : cases) {
        const auto got = cache.lifetime(c.answer);
        EXPECT_EQ(got, c.want) << c.name << ": got " << got.count() << "s, want " << c.want.count()
                               << "s";
    }
}

TEST(TtlCache, ExpiresAtLifetime) {
    TtlCache cache({seconds{3600}, seconds{300}, 100});
    const QueryKey key{"example.com", RecordType::mx};
    EXPECT_EQ(cache.store(key, positive(seconds{60}), kStart), seconds{60});
    struct Case {
        seconds after;
        bool want_hit;
        seconds want_ttl;
    };
    const Case cases[] = {{seconds{0}, true, seconds{60}},
                          {seconds{1}, true, seconds{59}},
                          {seconds{59}, true, seconds{1}},
                          {seconds{60}, false, seconds{0}},
                          {seconds{30}, false, seconds{0}}};  // expired entries are gone
    for (const auto& c : cases) {
        const auto got = cache.find(key, kStart + c.after);
        EXPECT_EQ(got.has_value(), c.want_hit)
            << "after " << c.after.count() << "s: got hit=" << got.has_value() << ", want "
            << c.want_hit;
        if (got && c.want_hit) {
            EXPECT_EQ(got->ttl, c.want_ttl) << "after " << c.after.count() << "s: got ttl "
                                            << got->ttl.count() << ", want " << c.want_ttl.count();
            EXPECT_EQ(got->records, positive(seconds{0}).records);
        }
    }
}

TEST(TtlCache, NegativeAnswersAreKeptWithTheirError) {
    TtlCache cache({seconds{3600}, seconds{10}, 100});
    const QueryKey key{"nx.example.com", RecordType::a};
    EXPECT_EQ(cache.store(key, negative(errc::nxdomain, seconds{900}), kStart), seconds{10});
    auto got = cache.find(key, kStart + seconds{9});
    ASSERT_TRUE(got);
    EXPECT_EQ(got->error, errc::nxdomain);
    EXPECT_FALSE(cache.find(key, kStart + seconds{10}));
}

TEST(TtlCache, FailuresAreNotStored) {
    TtlCache cache({seconds{3600}, seconds{300}, 100});
    const QueryKey key{"example.com", RecordType::mx};
    EXPECT_EQ(cache.store(key, negative(errc::timeout, seconds{60}), kStart), seconds{0});
    EXPECT_FALSE(cache.find(key, kStart));
    EXPECT_EQ(cache.size(), 0u);
}

TEST(TtlCache, KeyIsNameAndType) {
    TtlCache cache({seconds{3600}, seconds{300}, 100});
    cache.store({"example.com", RecordType::mx}, positive(seconds{60}), kStart);
    EXPECT_TRUE(cache.find({"example.com", RecordType::mx}, kStart));
    EXPECT_FALSE(cache.find({"example.com", RecordType::a}, kStart));
    EXPECT_FALSE(cache.find({"example.org", RecordType::mx}, kStart));
}

TEST(TtlCache, StoreReplacesTheEntry) {
    TtlCache cache({seconds{3600}, seconds{300}, 100});
    const QueryKey key{"example.com", RecordType::mx};
    cache.store(key, positive(seconds{10}), kStart);
    cache.store(key, negative(errc::no_data, seconds{100}), kStart + seconds{5});
    EXPECT_EQ(cache.size(), 1u);
    auto got = cache.find(key, kStart + seconds{50});
    ASSERT_TRUE(got);
    EXPECT_EQ(got->error, errc::no_data);
}

TEST(TtlCache, FullCacheEvictsTheOldest) {
    TtlCache cache({seconds{3600}, seconds{300}, 3});
    for (int i = 0; i < 5; ++i) {
        cache.store({"d" + std::to_string(i) + ".com", RecordType::a}, positive(seconds{60}),
                    kStart + seconds{i});
    }
    EXPECT_EQ(cache.size(), 3u);
    const TimePoint now = kStart + seconds{5};
    struct Case {
        const char* name;
        bool want;
    };
    const Case cases[] = {
        {"d0.com", false}, {"d1.com", false}, {"d2.com", true}, {"d3.com", true}, {"d4.com", true}};
    for (const auto& c : cases) {
        const bool got = cache.find({c.name, RecordType::a}, now).has_value();
        EXPECT_EQ(got, c.want) << c.name << ": got cached=" << got << ", want " << c.want;
    }
}

TEST(TtlCache, ZeroEntriesDisablesCaching) {
    TtlCache cache({seconds{3600}, seconds{300}, 0});
    cache.store({"example.com", RecordType::a}, positive(seconds{60}), kStart);
    EXPECT_FALSE(cache.find({"example.com", RecordType::a}, kStart));
}

}  // namespace
}  // namespace sluice::daemon::dns
