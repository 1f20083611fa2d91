// What a warm-up schedule allows on a given day: the day number of a source (1 on its start
// date), whether it is warm, and for one ISP the daily cap and message rate of that day. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "policy/config/policy_model.hpp"

namespace sluice::policy::warmup {

struct WarmupLimits {
    std::optional<std::uint64_t> daily;  // recipients a day; nullopt: no cap
    std::optional<config::Rate> message_rate;
    friend bool operator==(const WarmupLimits&, const WarmupLimits&) = default;
};

// The warm-up day of local date `date` for a source started on `start` (both days since
// 1970-01-01): 1 on the start date. A date before the start counts as day 1: a source is not
// warm before it has begun.
[[nodiscard]] std::uint32_t warmup_day(std::int32_t start, std::int32_t date);

// "wait" or "warm_sources", as the configuration writes it.
[[nodiscard]] std::string_view to_string(config::OverCap over_cap);

// From warm_from_day on a source has no warm-up limits.
[[nodiscard]] bool is_warm(const config::WarmupSchedule& schedule, std::uint32_t day);

// The limits on `isp` ("default" for the long tail) on `day`: the ISP's own latest row at or
// before `day`, else the latest such row for every ISP, grown by its growth for each day since;
// no limits when no row covers the day or the source is warm. A grown cap saturates instead of
// overflowing.
[[nodiscard]] WarmupLimits limits_on(const config::WarmupSchedule& schedule, std::string_view isp,
                                     std::uint32_t day);

}  // namespace sluice::policy::warmup
