#include "daemon/delivery/client_stream.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <variant>

#include "daemon/asio/nothrow_awaitable.hpp"

namespace sluice::daemon::delivery {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using boost::system::error_code;

namespace {
using asio_support::nothrow_awaitable;
}  // namespace

// Each operation races a timer: the loser is cancelled (per-operation cancellation, which the
// socket and async_write support), so a stalled peer costs a timer, not a thread.
using namespace asio::experimental::awaitable_operators;

struct ClientStream::Secure {
    Secure(tls::ContextPtr ctx, tcp::socket& socket)
        : context(std::move(ctx)), stream(socket, *context) {}
    tls::ContextPtr context;  // outlives the stream
    asio::ssl::stream<tcp::socket&> stream;
    bool established = false;
};

ClientStream::ClientStream(asio::any_io_executor executor) : socket_(executor), timer_(executor) {}

ClientStream::~ClientStream() = default;

awaitable<error_code> ClientStream::start_tls(tls::ContextPtr context, const std::string& host_name,
                                              tls::PeerVerification verification,
                                              const tls::DaneCheck* dane,
                                              Clock::time_point deadline) {
    secure_ = std::make_unique<Secure>(std::move(context), socket_);
    if (verification == tls::PeerVerification::dane && dane) {
        // Zero usable records leaves the connection encrypted only; the summary says no DANE.
        (void)tls::expect_dane(secure_->stream.native_handle(), *dane);
    } else {
        tls::expect_host_name(secure_->stream.native_handle(), host_name, verification);
    }
    timer_.expires_at(deadline);
    auto result = co_await (
        secure_->stream.async_handshake(asio::ssl::stream_base::client, nothrow_awaitable) ||
        timer_.async_wait(nothrow_awaitable));
    if (result.index() == 1) co_return asio::error::timed_out;
    const error_code ec = std::get<0>(std::get<0>(result));
    secure_->established = !ec;
    co_return ec;
}

std::optional<tls::TlsSummary> ClientStream::tls_summary() const {
    if (!secure_ || !secure_->established) return std::nullopt;
    return tls::describe_tls(secure_->stream.native_handle());
}

error_code ClientStream::open(const tcp::endpoint& remote,
                              const std::optional<asio::ip::address>& source) {
    error_code ec;
    socket_.open(remote.protocol(), ec);
    if (ec) return ec;
    if (source) {
        if (source->is_v4() != remote.address().is_v4()) {
            return asio::error::address_family_not_supported;
        }
        socket_.bind(tcp::endpoint(*source, 0), ec);
        if (ec) return ec;
    }
    // Commands are gathered into one write per round trip, so Nagle only adds delay.
    socket_.set_option(tcp::no_delay(true), ec);
    return {};
}

awaitable<error_code> ClientStream::connect(const tcp::endpoint& remote,
                                            Clock::time_point deadline) {
    timer_.expires_at(deadline);
    auto result = co_await (socket_.async_connect(remote, nothrow_awaitable) ||
                            timer_.async_wait(nothrow_awaitable));
    if (result.index() == 1) co_return asio::error::timed_out;
    co_return std::get<0>(std::get<0>(result));
}

awaitable<std::tuple<error_code, std::size_t>> ClientStream::read_some(asio::mutable_buffer buffer,
                                                                       Clock::time_point deadline) {
    timer_.expires_at(deadline);
    if (secure_) {
        auto result = co_await (secure_->stream.async_read_some(buffer, nothrow_awaitable) ||
                                timer_.async_wait(nothrow_awaitable));
        if (result.index() == 1) co_return std::tuple{error_code(asio::error::timed_out), 0};
        co_return std::get<0>(result);
    }
    auto result = co_await (socket_.async_read_some(buffer, nothrow_awaitable) ||
                            timer_.async_wait(nothrow_awaitable));
    if (result.index() == 1) co_return std::tuple{error_code(asio::error::timed_out), 0};
    co_return std::get<0>(result);
}

awaitable<error_code> ClientStream::write(std::string_view bytes, Clock::time_point deadline) {
    timer_.expires_at(deadline);
    if (secure_) {
        auto result =
            co_await (asio::async_write(secure_->stream, asio::buffer(bytes), nothrow_awaitable) ||
                      timer_.async_wait(nothrow_awaitable));
        if (result.index() == 1) co_return asio::error::timed_out;
        co_return std::get<0>(std::get<0>(result));
    }
    auto result = co_await (asio::async_write(socket_, asio::buffer(bytes), nothrow_awaitable) ||
                            timer_.async_wait(nothrow_awaitable));
    if (result.index() == 1) co_return asio::error::timed_out;
    co_return std::get<0>(std::get<0>(result));
}

void ClientStream::adopt(tcp::socket socket) {
    socket_ = std::move(socket);
}

std::size_t ClientStream::read_available(asio::mutable_buffer buffer) {
    // A synchronous read on a non-blocking socket answers would_block instead of waiting. The
    // flag is set once and left: the asynchronous operations do not depend on it (Asio keeps
    // the descriptor non-blocking for them anyway), and nothing else here reads synchronously.
    error_code ec;
    if (!socket_.non_blocking()) socket_.non_blocking(true, ec);
    if (ec) return 0;
    std::size_t n = 0;
    if (secure_) {
        if (secure_->established) n = secure_->stream.read_some(buffer, ec);
    } else {
        n = socket_.read_some(buffer, ec);
    }
    return ec ? 0 : n;
}

tcp::endpoint ClientStream::local_endpoint() const {
    error_code ignored;
    return socket_.local_endpoint(ignored);
}

void ClientStream::close() {
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

}  // namespace sluice::daemon::delivery
