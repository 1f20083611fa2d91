#include "policy/warmup/warmup_plan.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sluice::policy::warmup {

namespace {
// Beyond this a grown count is as good as no cap; doubles hold it exactly.
constexpr double kLargestCount = 1e15;

// The latest row of scope `isp` at or before `day`, or null.
const config::WarmupStep* latest_row(const config::WarmupSchedule& schedule, std::string_view isp,
                                     std::uint32_t day) {
    const config::WarmupStep* best = nullptr;
    for (const auto& row : schedule.days) {
        if (row.isp == isp && row.day <= day && (!best || row.day > best->day)) best = &row;
    }
    return best;
}

std::uint64_t grown(std::uint64_t base, double factor) {
    const double value = std::floor(static_cast<double>(base) * factor);
    return static_cast<std::uint64_t>(std::clamp(value, 1.0, kLargestCount));
}
}  // namespace

std::uint32_t warmup_day(std::int32_t start, std::int32_t date) {
    if (date <= start) return 1;
    return static_cast<std::uint32_t>(date - start) + 1;
}

std::string_view to_string(config::OverCap over_cap) {
    return over_cap == config::OverCap::wait ? "wait" : "warm_sources";
}

bool is_warm(const config::WarmupSchedule& schedule, std::uint32_t day) {
    return day >= schedule.warm_from_day;
}

WarmupLimits limits_on(const config::WarmupSchedule& schedule, std::string_view isp,
                       std::uint32_t day) {
    if (is_warm(schedule, day)) return {};
    const config::WarmupStep* row = latest_row(schedule, isp, day);
    if (!row) row = latest_row(schedule, "", day);
    if (!row) return {};
    // growth >= 1 and day - row->day < warm_from_day (validated): pow stays finite.
    const double factor = std::pow(row->growth, static_cast<double>(day - row->day));
    WarmupLimits limits;
    if (row->daily) limits.daily = grown(*row->daily, factor);
    if (row->message_rate) {
        limits.message_rate =
            config::Rate{grown(row->message_rate->count, factor), row->message_rate->per};
    }
    return limits;
}

}  // namespace sluice::policy::warmup
