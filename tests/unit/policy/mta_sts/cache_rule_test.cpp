#include "policy/mta_sts/cache_rule.hpp"

#include <gtest/gtest.h>

namespace sluice::policy::mta_sts {
namespace {

// Fetched at t=1000 under id "A", max_age 10 days: refresh from expiry - 1 day.
const CachedPolicy kCached{StsPolicy{Mode::enforce, {"mx.test"}, std::chrono::hours(240)}, "A",
                           1000};
constexpr std::int64_t kExpiry = 1000 + 240 * 3600;

TEST(CacheRule, NextStep) {
    struct Case {
        const char* what;
        const CachedPolicy* cached;
        std::optional<std::string> txt_id;
        std::int64_t now;
        CacheStep want;
    };
    const Case cases[] = {
        {"nothing cached, no record", nullptr, std::nullopt, 2000, CacheStep::no_policy},
        {"nothing cached, a record", nullptr, "A", 2000, CacheStep::fetch},
        {"same id, fresh", &kCached, "A", 2000, CacheStep::use_cached},
        {"id changed", &kCached, "B", 2000, CacheStep::fetch},
        {"same id, nearing expiry", &kCached, "A", kExpiry - 3600, CacheStep::fetch},
        {"same id, expired", &kCached, "A", kExpiry, CacheStep::fetch},
        {"record gone, fresh", &kCached, std::nullopt, 2000, CacheStep::use_cached},
        // RFC 8461 §10.2: a hidden TXT record must not let the policy quietly run out.
        {"record gone, nearing expiry", &kCached, std::nullopt, kExpiry - 1, CacheStep::fetch},
        {"record gone, expired", &kCached, std::nullopt, kExpiry, CacheStep::no_policy},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(next_step(c.cached, c.txt_id, c.now), c.want) << c.what;
    }
}

TEST(CacheRule, AFailedFetchKeepsTheUnexpiredPolicy) {
    const StsPolicy fresh{Mode::testing, {"mx.test"}, std::chrono::hours(1)};
    EXPECT_EQ(after_fetch(&kCached, &fresh, 2000), &fresh);
    EXPECT_EQ(after_fetch(&kCached, nullptr, kExpiry - 1), &kCached.policy);
    EXPECT_EQ(after_fetch(&kCached, nullptr, kExpiry), nullptr);
    EXPECT_EQ(after_fetch(nullptr, nullptr, 2000), nullptr);
}

TEST(CacheRule, RefreshMarginIsHalfAShortMaxAge) {
    const CachedPolicy short_lived{StsPolicy{Mode::enforce, {"mx.test"}, std::chrono::seconds(100)},
                                   "A", 0};
    EXPECT_EQ(short_lived.refresh_at(), 50);
    EXPECT_EQ(kCached.refresh_at(), kExpiry - 86400);
}

}  // namespace
}  // namespace sluice::policy::mta_sts
