// When to use a cached MTA-STS policy and when to fetch it again (RFC 8461 §5.1, §10.2). Pure:
// time (Unix seconds) is an argument. A cached policy holds until fetched_at + max_age; it is
// fetched again when the TXT id changes or when it nears expiry; a failed fetch keeps an
// unexpired cached policy (an attacker who blocks the fetch must not downgrade the domain),
// and so does a missing or failed TXT lookup.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "policy/mta_sts/sts_policy.hpp"

namespace sluice::policy::mta_sts {

struct CachedPolicy {
    StsPolicy policy;
    std::string id;  // the TXT id it was fetched under
    std::int64_t fetched_at = 0;

    [[nodiscard]] std::int64_t expires_at() const { return fetched_at + policy.max_age.count(); }
    [[nodiscard]] bool usable(std::int64_t now) const { return now < expires_at(); }
    // From here on a lookup fetches again (half the max_age, at most one day, before expiry).
    [[nodiscard]] std::int64_t refresh_at() const;
};

enum class CacheStep {
    use_cached,  // the cached policy applies; nothing to fetch
    fetch,       // fetch the policy (then after_fetch decides)
    no_policy,   // no usable policy and nothing to fetch
};

// `txt_id`: the id of the domain's TXT record, nullopt when there is none or the lookup failed
// (then a fetch, near expiry, is under the cached policy's own id).
[[nodiscard]] CacheStep next_step(const CachedPolicy* cached,
                                  const std::optional<std::string>& txt_id, std::int64_t now);

// After a fetch: the policy that applies. `fetched` null when the fetch failed.
[[nodiscard]] const StsPolicy* after_fetch(const CachedPolicy* cached, const StsPolicy* fetched,
                                           std::int64_t now);

}  // namespace sluice::policy::mta_sts
