// Feeds systemd's service watchdog (WatchdogSec=) from the event loop. When the service manager
// asks for it (WATCHDOG_USEC, and WATCHDOG_PID naming this process if set), a coroutine on the
// loop sends WATCHDOG=1 at once and then every half interval, so a loop that hangs stops the
// pings and systemd kills and restarts the service. Without that request it does nothing.
// State: only the timer in the coroutine's frame, owned by the executor's io_context (destroyed
// with it). Never fails: sd_notify errors are ignored, like the other notifications.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>

namespace sluice::daemon::app {

// Starts the ping loop on `executor` if systemd enabled the watchdog for this process.
// Returns the ping period, or zero when the watchdog is off.
[[nodiscard]] std::chrono::microseconds start_watchdog(boost::asio::any_io_executor executor);

}  // namespace sluice::daemon::app
