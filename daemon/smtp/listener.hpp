// One SMTP listening socket: accepts connections, applies the connection limits (answering 421
// to those over them) and starts a session coroutine for each admitted client. It pauses briefly
// when the process runs out of file descriptors instead of spinning (OpenSMTPD's habit).
// Runs on the io thread; App owns it. Bind errors are reported by open(), not thrown.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <system_error>

#include "daemon/smtp/server_session.hpp"

namespace sluice::daemon::smtp {

class Listener {
  public:
    using ConfigSource = std::function<std::shared_ptr<const policy::config::Config>()>;

    Listener(boost::asio::any_io_executor executor, policy::config::Listener settings,
             ConfigSource config, SessionServices& services);

    // Binds and listens; the bound endpoint (with the real port if 0 was asked) is then known.
    [[nodiscard]] std::error_code open();
    [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
    [[nodiscard]] const policy::config::Listener& settings() const { return settings_; }
    [[nodiscard]] bool listening() const { return acceptor_.is_open(); }

    // Starts the accept loop (after open() succeeded).
    void start();
    // Stops accepting; sessions already running are not touched.
    void stop();

  private:
    boost::asio::awaitable<void> accept_loop();
    void refuse(boost::asio::ip::tcp::socket& socket, const std::string& client,
                SessionRegistry::Verdict verdict, const policy::config::Config& config);

    boost::asio::any_io_executor executor_;
    policy::config::Listener settings_;
    ConfigSource config_;
    SessionServices& services_;
    boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace sluice::daemon::smtp
