// Opens a TCP acceptor listening on `endpoint` the way every Sluice listener does: address
// reuse, IPv6 sockets for IPv6 only, the system's maximum backlog. On failure the acceptor is
// closed again and the error returned. Shared by the SMTP listeners and the status endpoint.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <system_error>

namespace sluice::daemon::asio_support {

[[nodiscard]] std::error_code open_listening(boost::asio::ip::tcp::acceptor& acceptor,
                                             const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace sluice::daemon::asio_support
