// Running blocking work (file reads, fdatasync, unlink) from a coroutine: the function runs on
// a small thread pool and the coroutine resumes on its own executor with the result, so the io
// thread never waits for the disk. The function must not touch io-thread state.
// Pass a named function object, never a capturing lambda written inside the co_await
// expression: GCC 12 may destroy such a temporary's captures twice.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>

namespace sluice::daemon {

template <typename Result, typename Function>
boost::asio::awaitable<Result> run_blocking(boost::asio::thread_pool& pool, Function function) {
    namespace asio = boost::asio;
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Result)>(
        [&pool](auto handler, Function function) {
            auto work = asio::make_work_guard(asio::get_associated_executor(handler));
            asio::post(pool, [handler = std::move(handler), work = std::move(work),
                              function = std::move(function)]() mutable {
                Result result = function();
                auto executor = work.get_executor();
                asio::post(executor,
                           [handler = std::move(handler), result = std::move(result)]() mutable {
                               std::move(handler)(std::move(result));
                           });
            });
        },
        asio::use_awaitable, std::move(function));
}

}  // namespace sluice::daemon
