// AdaptiveRate (see adaptive_rate.hpp). The rate is kept per second as a double so that many
// small steps do not round away; current() converts it back to the ceiling's period.
#include "policy/speed/adaptive_rate.hpp"

#include <algorithm>
#include <cmath>

namespace sluice::policy::speed {
namespace {

double per_second_of(const config::Rate& rate) {
    if (rate.per.count() <= 0) {
        return 0.0;
    }
    return static_cast<double>(rate.count) * 1000.0 / static_cast<double>(rate.per.count());
}

}  // namespace

AdaptiveRate::AdaptiveRate(config::Rate ceiling, const config::AdaptiveSpeed& settings)
    : ceiling_(ceiling), settings_(settings), current_per_second_(per_second_of(ceiling)) {}

void AdaptiveRate::on_success() {
    if (++streak_ < std::max<std::uint32_t>(settings_.success_streak, 1)) {
        return;
    }
    streak_ = 0;
    current_per_second_ =
        std::min(current_per_second_ * (1.0 + settings_.step_up), per_second_of(ceiling_));
}

void AdaptiveRate::on_throttled() {
    streak_ = 0;
    const double floor = std::min(per_second_of(settings_.min_rate), per_second_of(ceiling_));
    current_per_second_ = std::max(current_per_second_ * (1.0 - settings_.step_down), floor);
}

void AdaptiveRate::reconfigure(config::Rate ceiling, const config::AdaptiveSpeed& settings) {
    ceiling_ = ceiling;
    settings_ = settings;
    const double top = per_second_of(ceiling_);
    const double floor = std::min(per_second_of(settings_.min_rate), top);
    current_per_second_ = std::clamp(current_per_second_, floor, top);
}

config::Rate AdaptiveRate::current() const {
    // In the ceiling's period when that is precise; over a longer period (x10, x100, ...) when
    // rounding to a whole count would cost more than 0.1 %, or would give 0 (no limit at all).
    double per_period = current_per_second_ * static_cast<double>(ceiling_.per.count()) / 1000.0;
    auto period = ceiling_.per;
    while (per_period < 1000.0 && period < std::chrono::hours(24 * 365)) {
        per_period *= 10.0;
        period *= 10;
    }
    return {std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::llround(per_period))),
            period};
}

double AdaptiveRate::per_second() const {
    return current_per_second_;
}

bool AdaptiveRate::at_ceiling() const {
    // Steps up stop exactly at the ceiling (std::min), so the comparison is exact.
    return current_per_second_ >= per_second_of(ceiling_);
}

}  // namespace sluice::policy::speed
