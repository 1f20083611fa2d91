#include "policy/warmup/day_clock.hpp"

#include <date/tz.h>

#include <stdexcept>

namespace sluice::policy::warmup {

std::optional<DayClock> DayClock::for_zone(std::string_view name) {
    DayClock clock;
    if (name == "UTC") return clock;
    try {
        clock.zone_ = date::locate_zone(name);
    } catch (const std::runtime_error&) {
        return std::nullopt;  // unknown, or no database to look in
    }
    return clock;
}

std::int32_t DayClock::local_date(std::chrono::sys_seconds at) const {
    auto local = at.time_since_epoch();
    if (zone_) local += zone_->get_info(at).offset;
    return static_cast<std::int32_t>(std::chrono::floor<std::chrono::days>(local).count());
}

std::chrono::sys_seconds DayClock::start_of(std::int32_t date) const {
    const std::chrono::seconds midnight = std::chrono::days(date);
    if (!zone_) return std::chrono::sys_seconds(midnight);
    // A midnight skipped by a DST change maps to the end of the gap; a repeated one to the
    // earlier instant.
    return zone_->to_sys(date::local_seconds(midnight), date::choose::earliest);
}

}  // namespace sluice::policy::warmup
