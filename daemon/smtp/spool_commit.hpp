// Awaiting the spool from a coroutine: adapts SpoolWriter's completion callback (called on the
// committer thread) into an Asio operation that resumes the caller on its own executor. Keeps
// Asio out of the spool library.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <string>
#include <system_error>

#include "daemon/spool/spool_writer.hpp"

namespace sluice::daemon::smtp {

template <typename CompletionToken>
auto async_spool(spool::SpoolWriter& writer, spool::SpooledMessage message,
                 CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(std::error_code)>(
        [&writer](auto handler, spool::SpooledMessage message) {
            using Handler = decltype(handler);
            auto executor = boost::asio::get_associated_executor(handler);
            // The work guard keeps the io_context running while the committer works; the
            // handler is shared because SpoolWriter::Completion must be copyable.
            auto work = boost::asio::make_work_guard(executor);
            auto shared = std::make_shared<Handler>(std::move(handler));
            writer.submit(std::move(message), [shared, work](std::error_code ec) mutable {
                boost::asio::post(work.get_executor(),
                                  [shared, ec]() mutable { std::move (*shared)(ec); });
                work.reset();
            });
        },
        token, std::move(message));
}

// Removes a finished message's spool file durably (SpoolWriter::remove), resuming the caller on
// its own executor.
template <typename CompletionToken>
auto async_remove_spooled(spool::SpoolWriter& writer, std::string queue_id,
                          CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(std::error_code)>(
        [&writer](auto handler, std::string queue_id) {
            using Handler = decltype(handler);
            auto executor = boost::asio::get_associated_executor(handler);
            auto work = boost::asio::make_work_guard(executor);
            auto shared = std::make_shared<Handler>(std::move(handler));
            writer.remove(std::move(queue_id), [shared, work](std::error_code ec) mutable {
                boost::asio::post(work.get_executor(),
                                  [shared, ec]() mutable { std::move (*shared)(ec); });
                work.reset();
            });
        },
        token, std::move(queue_id));
}

}  // namespace sluice::daemon::smtp
