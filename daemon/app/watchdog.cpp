#include "daemon/app/watchdog.hpp"

#include <systemd/sd-daemon.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>

#include "daemon/asio/nothrow_awaitable.hpp"

namespace sluice::daemon::app {

namespace asio = boost::asio;

namespace {

// Runs until its io_context stops or is destroyed (the timer wait is then cancelled or the frame
// is destroyed, never resumed).
asio::awaitable<void> feed_watchdog(std::chrono::microseconds period) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        (void)sd_notify(0, "WATCHDOG=1");
        timer.expires_after(period);
        auto [ec] = co_await timer.async_wait(asio_support::nothrow_awaitable);
        if (ec) co_return;
    }
}

}  // namespace

std::chrono::microseconds start_watchdog(asio::any_io_executor executor) {
    std::uint64_t timeout_usec = 0;
    if (sd_watchdog_enabled(0, &timeout_usec) <= 0 || timeout_usec < 2) return {};
    // Half the timeout, as sd_watchdog_enabled(3) recommends: one late ping is not fatal.
    const std::chrono::microseconds period(timeout_usec / 2);
    asio::co_spawn(executor, feed_watchdog(period), asio::detached);
    return period;
}

}  // namespace sluice::daemon::app
