// RetrySchedule: when a recipient that failed temporarily is tried next, or that it has expired.
// After attempt k (1-based) the wait is intervals[min(k, n) - 1], so the last interval repeats;
// a recipient expires once the queue lifetime since arrival is over, or as soon as its next
// attempt would fall after that (it is never tried past arrival + lifetime). Pure and const
// after construction: time is an argument, in whole seconds (the spool's resolution).
// Issue 4 generalizes this into named retry rules.
#pragma once

#include <chrono>
#include <cstdint>
#include <variant>
#include <vector>

namespace sluice::policy::retry {

using Duration = std::chrono::milliseconds;  // as in the config model
using TimePoint = std::chrono::sys_seconds;  // unix seconds, UTC

struct RetryAt {
    TimePoint at;
    friend bool operator==(const RetryAt&, const RetryAt&) = default;
};

struct Expired {
    TimePoint deadline;  // arrival + lifetime
    friend bool operator==(const Expired&, const Expired&) = default;
};

class RetrySchedule {
  public:
    // `intervals` must not be empty and every interval, like `lifetime`, must be positive (the
    // config loader guarantees both). Sub-second parts round up to a whole second.
    RetrySchedule(std::vector<Duration> intervals, Duration lifetime);

    // The next attempt after `attempts_made` attempts, all failed temporarily; `now` is the end
    // of the last one. No attempt yet: RetryAt{arrival} (due at once) unless already expired.
    [[nodiscard]] std::variant<RetryAt, Expired> next_attempt(std::uint32_t attempts_made,
                                                              TimePoint arrival,
                                                              TimePoint now) const;

  private:
    std::vector<std::chrono::seconds> intervals_;
    std::chrono::seconds lifetime_;
};

}  // namespace sluice::policy::retry
