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
    if (!txt_id) {
        // No record (or the lookup failed, perhaps blocked): keep the cached policy, and near
        // its expiry fetch it again under its own id so that hiding the TXT record cannot make
        // it run out (RFC 8461 §10.2).
        if (!usable) return CacheStep::no_policy;
        return now < cached->refresh_at() ? CacheStep::use_cached : CacheStep::fetch;
    }
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
