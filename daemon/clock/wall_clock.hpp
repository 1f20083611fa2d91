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
[[nodiscard]] inline std::int64_t now_unix() { return now_unix_us() / 1000000; }

}  // namespace sluice::daemon::clock
