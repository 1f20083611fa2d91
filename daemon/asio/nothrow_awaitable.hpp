// The completion token of every Sluice coroutine that handles errors as values: with it,
// `auto [ec, n] = co_await socket.async_read_some(buffer, nothrow_awaitable);` hands the error
// code back instead of throwing it, so that each expected failure is handled on the spot.
// Header-only: it needs no compiled Asio, so the standalone bench tool can use it too.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sluice::daemon::asio_support {

inline constexpr auto nothrow_awaitable = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace sluice::daemon::asio_support
