// A message or connection rate limit as a GCRA (virtual scheduling): with rate N per P, one
// event is allowed every P/N, with a burst of at most `burst` events after idleness. This meets
// a configured rate evenly (no start-of-hour bursts). A caller less than one interval late
// keeps its place in the schedule, so timer lateness does not lower the long-run rate; one
// interval late or more counts as idleness. Time is an argument (monotonic).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "policy/config/units.hpp"

namespace sluice::policy::speed {

using Instant = std::chrono::steady_clock::time_point;

class RateLimiter {
  public:
    // No rate: unlimited. `burst` >= 1.
    explicit RateLimiter(std::optional<config::Rate> rate = std::nullopt, std::uint32_t burst = 1);

    // Takes one event if allowed at `now`.
    bool try_acquire(Instant now);
    // The earliest moment try_acquire succeeds (`now` or earlier when it would now).
    [[nodiscard]] Instant next_allowed(Instant now) const;
    // Changes the rate: the next event is due one new interval after the last one (a faster
    // rate applies at once, a reload never grants a burst).
    void set_rate(std::optional<config::Rate> rate);
    [[nodiscard]] const std::optional<config::Rate>& rate() const { return rate_; }
    // Events per second (0 when unlimited).
    [[nodiscard]] double per_second() const;

  private:
    std::optional<config::Rate> rate_;
    std::uint32_t burst_;
    std::chrono::nanoseconds interval_{0};
    std::optional<Instant> theoretical_arrival_;  // GCRA's TAT
};

}  // namespace sluice::policy::speed
