// RetrySchedule (see retry_schedule.hpp).
#include "policy/retry/retry_schedule.hpp"

#include <algorithm>

#include "common/assert.hpp"

namespace sluice::policy::retry {

RetrySchedule::RetrySchedule(std::vector<Duration> intervals, Duration lifetime)
    : lifetime_(std::chrono::ceil<std::chrono::seconds>(lifetime)) {
    SLUICE_ASSERT(!intervals.empty(), "a retry schedule needs at least one interval");
    SLUICE_ASSERT(lifetime.count() > 0, "the queue lifetime must be positive");
    intervals_.reserve(intervals.size());
    for (Duration interval : intervals) {
        SLUICE_ASSERT(interval.count() > 0, "retry intervals must be positive");
        intervals_.push_back(std::chrono::ceil<std::chrono::seconds>(interval));
    }
}

std::variant<RetryAt, Expired> RetrySchedule::next_attempt(std::uint32_t attempts_made,
                                                           TimePoint arrival, TimePoint now) const {
    const TimePoint deadline = arrival + lifetime_;
    if (now >= deadline) {
        return Expired{deadline};
    }
    if (attempts_made == 0) {
        return RetryAt{arrival};
    }
    const std::size_t index = std::min<std::size_t>(attempts_made, intervals_.size()) - 1;
    const TimePoint next = now + intervals_[index];
    if (next > deadline) {
        return Expired{deadline};
    }
    return RetryAt{next};
}

}  // namespace sluice::policy::retry
