// The one parser for the unit-carrying strings of sluice.conf: durations ("500ms", "30s", "5m",
// "1h", "3d", "1w", also "1h30m"), rates ("1000/h", "30/m", "5/10s"), sizes (50000, "64k", "50M",
// "1G"; binary multiples) and percentages ("10%"). Each returns nullopt on malformed input or
// overflow so the loader can report the setting; none of them accepts negative values.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::policy::config {

struct Rate {
    std::uint64_t count = 0;
    std::chrono::milliseconds per{0};
    friend bool operator==(const Rate&, const Rate&) = default;
};

// Events per hour of `rate`; 0 without one (unlimited), as the status views show rates.
[[nodiscard]] double per_hour(const std::optional<Rate>& rate);

[[nodiscard]] std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
[[nodiscard]] std::optional<Rate> parse_rate(std::string_view text);
[[nodiscard]] std::optional<std::uint64_t> parse_size(std::string_view text);
[[nodiscard]] std::optional<double> parse_percent(std::string_view text);  // "10%" -> 0.10

}  // namespace sluice::policy::config
