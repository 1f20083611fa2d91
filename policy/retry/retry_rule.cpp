// retry_interval / next_retry (see retry_rule.hpp). Intervals are computed in double seconds
// and capped before converting, so a growing rule's factor^attempts cannot overflow; each is
// rounded up to a whole second and is at least one second.
#include "policy/retry/retry_rule.hpp"

#include <algorithm>
#include <cmath>

namespace sluice::policy::retry {
namespace {

double seconds_of(std::chrono::milliseconds d) {
    return static_cast<double>(d.count()) / 1000.0;
}

std::chrono::seconds whole_seconds(double seconds) {
    return std::chrono::seconds{
        std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(seconds - 1e-9)))};
}

}  // namespace

std::chrono::seconds retry_interval(const config::RetryRule& rule, std::uint32_t attempts_made,
                                    double random_unit) {
    const std::uint32_t k = std::max<std::uint32_t>(attempts_made, 1);
    switch (rule.kind) {
        case config::RetryIntervalKind::fixed:
            return whole_seconds(seconds_of(rule.interval));
        case config::RetryIntervalKind::growing: {
            const double cap = seconds_of(rule.max_interval);
            const double grown =
                seconds_of(rule.interval) * std::pow(std::max(rule.factor, 1.0), k - 1);
            return whole_seconds(std::min(grown, cap));
        }
        case config::RetryIntervalKind::random: {
            const double unit = std::clamp(random_unit, 0.0, 1.0);
            const double low = seconds_of(rule.min_interval);
            const double high = std::max(low, seconds_of(rule.max_interval));
            return whole_seconds(low + (high - low) * unit);
        }
        case config::RetryIntervalKind::list:
            if (rule.intervals.empty()) {
                return whole_seconds(seconds_of(rule.interval));
            }
            return whole_seconds(
                seconds_of(rule.intervals[std::min<std::size_t>(k, rule.intervals.size()) - 1]));
    }
    return whole_seconds(seconds_of(rule.interval));
}

TimePoint expiry_deadline(const config::RetryRule& rule, TimePoint arrival) {
    return arrival + std::chrono::ceil<std::chrono::seconds>(rule.expire_after);
}

std::variant<RetryAt, Expired> next_retry(const config::RetryRule& rule,
                                          std::uint32_t attempts_made, TimePoint arrival,
                                          TimePoint now, double random_unit) {
    const TimePoint deadline = expiry_deadline(rule, arrival);
    if (now >= deadline) {
        return Expired{deadline};
    }
    if (attempts_made == 0) {
        return RetryAt{arrival};
    }
    if (rule.max_attempts != 0 && attempts_made >= rule.max_attempts) {
        return Expired{deadline};
    }
    const TimePoint next = now + retry_interval(rule, attempts_made, random_unit);
    if (next > deadline) {
        return Expired{deadline};
    }
    return RetryAt{next};
}

}  // namespace sluice::policy::retry
