#include "policy/mta_sts/cache_rule.hpp"

#include <algorithm>

namespace sluice::policy::mta_sts {

namespace {
constexpr std::int64_t kMaxRefreshMargin = 86400;
}

std::int64_t CachedPolicy::refresh_at() const {
    const std::int64_t margin =
        std::min<std::int64_t>(policy.max_age.count() / 2, kMaxRefreshMargin);
    return expires_at() - margin;
}

CacheStep next_step(const CachedPolicy* cached, const std::optional<std::string>& txt_id,
                    std::int64_t now) {
    const bool usable = cached && cached->usable(now);
    if (!txt_id) return usable ? CacheStep::use_cached : CacheStep::no_policy;
    if (usable && cached->id == *txt_id && now < cached->refresh_at()) {
        return CacheStep::use_cached;
    }
    return CacheStep::fetch;
}

const StsPolicy* after_fetch(const CachedPolicy* cached, const StsPolicy* fetched,
                             std::int64_t now) {
    if (fetched) return fetched;
    return cached && cached->usable(now) ? &cached->policy : nullptr;
}

}  // namespace sluice::policy::mta_sts
