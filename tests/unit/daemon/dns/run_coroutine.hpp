// Test helper: runs coroutines on an io_context until they finish (or a time limit passes).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <vector>

namespace sluice::daemon::dns::testing {

// Runs every task concurrently and returns their results in order.
template <typename T>
std::vector<T> run_all(boost::asio::io_context& io, std::vector<boost::asio::awaitable<T>> tasks,
                       std::chrono::seconds limit = std::chrono::seconds{30}) {
    std::vector<std::optional<T>> results(tasks.size());
    std::exception_ptr failure;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        boost::asio::co_spawn(io, std::move(tasks[i]),
                              [&results, &failure, i](std::exception_ptr error, T value) {
                                  if (error) failure = error;
                                  results[i] = std::move(value);
                              });
    }
    auto done = [&] {
        for (const auto& result : results) {
            if (!result) return false;
        }
        return true;
    };
    io.restart();
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.run_one_for(std::chrono::milliseconds{100});
    }
    if (failure) std::rethrow_exception(failure);
    if (!done()) throw std::runtime_error("coroutine did not finish in time");
    std::vector<T> out;
    for (auto& result : results) out.push_back(std::move(*result));
    return out;
}

template <typename T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> task,
      std::chrono::seconds limit = std::chrono::seconds{30}) {
    std::vector<boost::asio::awaitable<T>> tasks;
    tasks.push_back(std::move(task));
    return std::move(run_all(io, std::move(tasks), limit).front());
}

}  // namespace sluice::daemon::dns::testing
