// The HTTP/1.1 status endpoint (Boost.Beast over Asio coroutines, on the io thread): accepts on
// status.listen, reads each request with size limits (8 KiB of header, 64 KiB of body) and a
// timeout, routes it (request_route.hpp), checks access (reads: status.allow networks;
// operations: the bearer token) and answers JSON, Prometheus text or the dashboard. Every
// error is a 4xx/5xx with a JSON body; a broken client only ends its own connection. At most
// kMaxSessions connections at once (more are closed at once). App owns it; bind errors come
// from open(), never thrown.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <system_error>

#include "daemon/log/logger.hpp"
#include "daemon/status/status_backend.hpp"

namespace sluice::daemon::status {

class StatusServer {
  public:
    static constexpr unsigned kMaxSessions = 64;

    StatusServer(boost::asio::any_io_executor executor, StatusBackend& backend,
                 log::Logger& logger);

    // Binds `listen` ("address:port", "[v6]:port").
    [[nodiscard]] std::error_code open(const std::string& listen);
    [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
    void start();
    void stop();

  private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

    boost::asio::any_io_executor executor_;
    StatusBackend& backend_;
    log::Logger& logger_;
    boost::asio::ip::tcp::acceptor acceptor_;
    // Shared with the session frames: at shutdown they may be destroyed after this server.
    std::shared_ptr<unsigned> sessions_ = std::make_shared<unsigned>(0);
};

}  // namespace sluice::daemon::status
