#include "daemon/smtp/listener.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "daemon/asio/listening_acceptor.hpp"
#include "daemon/asio/nothrow_awaitable.hpp"
#include "daemon/smtp/reply.hpp"

namespace sluice::daemon::smtp {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio_support::nothrow_awaitable;

Listener::Listener(asio::any_io_executor executor, policy::config::Listener settings,
                   ConfigSource config, SessionServices& services)
    : executor_(executor),
      settings_(std::move(settings)),
      config_(std::move(config)),
      services_(services),
      acceptor_(executor) {}

std::error_code Listener::open() {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(settings_.address, ec);
    if (ec) return ec;
    return asio_support::open_listening(acceptor_, tcp::endpoint(address, settings_.port));
}

tcp::endpoint Listener::local_endpoint() const {
    boost::system::error_code ec;
    return acceptor_.local_endpoint(ec);
}

void Listener::start() {
    asio::co_spawn(executor_, accept_loop(), asio::detached);
}

void Listener::stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

asio::awaitable<void> Listener::accept_loop() {
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(nothrow_awaitable);
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        if (ec) {
            // EMFILE/ENFILE and friends: back off instead of spinning on a full table.
            services_.logger.warning("listener {}: accept failed: {}", settings_.name,
                                     ec.message());
            asio::steady_timer pause(executor_, std::chrono::milliseconds(100));
            co_await pause.async_wait(nothrow_awaitable);
            continue;
        }
        auto config = config_();
        boost::system::error_code remote_ec;
        const auto remote = socket.remote_endpoint(remote_ec);
        if (remote_ec) continue;
        const std::string client = remote.address().to_string();
        SessionRegistry::Admission admission;
        const auto verdict = services_.registry.admit(
            client, config->smtp.max_connections, config->smtp.max_connections_per_ip, admission);
        if (verdict != SessionRegistry::Verdict::admitted) {
            refuse(socket, client, verdict, *config);
            continue;
        }
        socket.set_option(tcp::no_delay(true), remote_ec);
        asio::co_spawn(executor_,
                       serve_smtp_session(std::move(socket), std::move(config), settings_,
                                          std::move(admission), services_),
                       [&logger = services_.logger](std::exception_ptr error) {
                           // A session that throws is a bug; it ends that session only.
                           if (!error) return;
                           try {
                               std::rethrow_exception(error);
                           } catch (const std::exception& e) {
                               logger.error("session ended by exception: {}", e.what());
                           }
                       });
    }
}

void Listener::refuse(tcp::socket& socket, const std::string& client,
                      SessionRegistry::Verdict verdict, const policy::config::Config& config) {
    const Reply reply{421, "4.7.0",
                      config.hostname + (verdict == SessionRegistry::Verdict::too_many_total
                                             ? " Error: too many connections"
                                             : " Error: too many connections from your address")};
    services_.logger.warning("refused connection from [{}]: {}", client, reply.summary());
    // A fresh socket's send buffer is empty, so this short write does not block.
    const std::string wire = reply.to_wire();
    boost::system::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(wire), ignored);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
}

}  // namespace sluice::daemon::smtp
