#include "daemon/smtp/content_deadline.hpp"

#include <algorithm>

namespace sluice::daemon::smtp {

ContentDeadline::ContentDeadline(Clock::time_point start, std::chrono::milliseconds timeout,
                                 std::uint64_t min_rate)
    : timeout_(timeout), min_rate_(min_rate), deadline_(start + timeout) {}

void ContentDeadline::received(std::uint64_t bytes, Clock::time_point now) {
    const auto latest = now + timeout_;
    if (min_rate_ == 0) {
        deadline_ = latest;
        return;
    }
    // Microseconds of credit; a read is at most a buffer's size, so this cannot overflow.
    const auto earned = std::chrono::microseconds(bytes * 1'000'000 / min_rate_);
    deadline_ = std::min<Clock::time_point>(deadline_ + earned, latest);
}

}  // namespace sluice::daemon::smtp
