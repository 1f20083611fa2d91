// Adaptive speed (AKMTA): the allowed rate of a queue starts at the ceiling (the strategy's
// message_rate), steps down by step_down on each deferral/throttling reply (not below
// min_rate) and steps up by step_up after `success_streak` successes in a row (not above the
// ceiling). Pure: the caller reports outcomes and reads current().
#pragma once

#include <cstdint>

#include "policy/config/policy_model.hpp"

namespace sluice::policy::speed {

class AdaptiveRate {
  public:
    AdaptiveRate(config::Rate ceiling, const config::AdaptiveSpeed& settings);

    void on_success();
    void on_throttled();
    // New ceiling/settings after a reload; the current rate is clamped into the new range.
    void reconfigure(config::Rate ceiling, const config::AdaptiveSpeed& settings);

    [[nodiscard]] config::Rate current() const;  // per the ceiling's period
    [[nodiscard]] double per_second() const;
    // Back at the ceiling: nothing learnt from throttling is left.
    [[nodiscard]] bool at_ceiling() const;

  private:
    config::Rate ceiling_;
    config::AdaptiveSpeed settings_;
    double current_per_second_;
    std::uint32_t streak_ = 0;
};

}  // namespace sluice::policy::speed
