// RateLimiter (see rate_limiter.hpp). GCRA keeps one number, the theoretical arrival time (TAT)
// of the next event; an event at `now` conforms when TAT - (burst - 1) * interval <= now, and
// then pushes TAT on by one interval. A caller that comes less than one interval late (a timer
// that fired a little after next_allowed, a connection that was busy) keeps its place in the
// schedule, TAT + interval, so lateness does not erode the long-run rate (strict GCRA would
// restart from `now` and lose the lateness on every event: polling 1000/h every second would
// give 900/h). Coming a whole interval late or more is idleness: the schedule restarts at `now`
// and only `burst` events are earned. The interval is kept in nanoseconds, so a rate like 7/h
// drifts by under a nanosecond per event.
#include "policy/speed/rate_limiter.hpp"

#include <algorithm>

#include "common/assert.hpp"

namespace sluice::policy::speed {
namespace {

std::chrono::nanoseconds interval_of(const std::optional<config::Rate>& rate) {
    if (!rate || rate->count == 0) {
        return std::chrono::nanoseconds{0};
    }
    const std::chrono::nanoseconds per = rate->per;
    return std::chrono::nanoseconds{per.count() / static_cast<std::int64_t>(rate->count)};
}

}  // namespace

RateLimiter::RateLimiter(std::optional<config::Rate> rate, std::uint32_t burst)
    : rate_(rate), burst_(burst), interval_(interval_of(rate)) {
    SLUICE_ASSERT(burst >= 1, "a rate limiter's burst is at least one event");
}

bool RateLimiter::try_acquire(Instant now) {
    if (interval_.count() == 0) {
        return true;
    }
    if (next_allowed(now) > now) {
        return false;
    }
    const Instant tat = theoretical_arrival_.value_or(now);
    const bool idle = now - tat >= interval_;
    theoretical_arrival_ = (idle ? now : tat) + interval_;
    return true;
}

Instant RateLimiter::next_allowed(Instant now) const {
    if (interval_.count() == 0 || !theoretical_arrival_) {
        return now;
    }
    return *theoretical_arrival_ - interval_ * static_cast<std::int64_t>(burst_ - 1);
}

void RateLimiter::set_rate(std::optional<config::Rate> rate) {
    const auto interval = interval_of(rate);
    // The next event is due one *new* interval after the last one (TAT - old interval), so a
    // faster rate applies at once and a slower one is not undercut by the old schedule.
    if (theoretical_arrival_ && interval != interval_) {
        if (interval.count() == 0) {
            theoretical_arrival_.reset();
        } else {
            theoretical_arrival_ = *theoretical_arrival_ - interval_ + interval;
        }
    }
    rate_ = rate;
    interval_ = interval;
}

double RateLimiter::per_second() const {
    if (!rate_ || rate_->count == 0 || rate_->per.count() <= 0) {
        return 0.0;
    }
    return static_cast<double>(rate_->count) * 1000.0 / static_cast<double>(rate_->per.count());
}

}  // namespace sluice::policy::speed
