// The daemon's reads of the wall clock, in the units the spool and the accounting log use.
// Only daemon/ reads clocks; policy/ gets time passed in. No state.
#pragma once

#include <chrono>
#include <cstdint>

namespace sluice::daemon::clock {

// Microseconds since the Unix epoch.
[[nodiscard]] inline std::int64_t now_unix_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Seconds since the Unix epoch.
[[nodiscard]] inline std::int64_t now_unix() {
    return now_unix_us() / 1000000;
}

// The one wall-time type: what policy/ takes (its retry and lock TimePoint is sys_seconds) and
// what the queue passes in. Stored times (spool records, QueuedMessage) stay int64 unix seconds
// for compactness; wall_time converts them, here and nowhere else.
using WallTime = std::chrono::sys_seconds;

[[nodiscard]] inline WallTime wall_time(std::int64_t unix_seconds) {
    return WallTime(std::chrono::seconds(unix_seconds));
}

[[nodiscard]] inline WallTime now_wall() {
    return wall_time(now_unix());
}

}  // namespace sluice::daemon::clock
