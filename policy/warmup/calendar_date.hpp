// Calendar dates as warm-up schedules use them: "2026-12-07" <-> days since 1970-01-01 (the
// proleptic Gregorian calendar of std::chrono). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::policy::warmup {

// Days since 1970-01-01 of an ISO 8601 calendar date "YYYY-MM-DD" (years 1970-9999); nullopt
// when the text is not one or names no real day ("2026-02-30").
[[nodiscard]] std::optional<std::int32_t> parse_date(std::string_view text);
// "YYYY-MM-DD" of days since 1970-01-01.
[[nodiscard]] std::string format_date(std::int32_t days);

}  // namespace sluice::policy::warmup
