// The byte stream under one outbound SMTP connection, every operation bounded by a deadline
// (a timer raced against the I/O; no thread per connection): a TCP socket, and after
// start_tls() (once the server answered 220 to STARTTLS) a TLS stream over it. Callers drop any
// reply bytes buffered before the handshake (RFC 3207 §4.2, CVE-2021-38371) and send EHLO
// again. Asio's SSL headers stay in the .cpp. Owned by its ClientConnection; runs on that
// connection's executor. Errors: asio::error::timed_out when a deadline passed, else the system
// (or SSL) error of the operation.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "daemon/tls/contexts.hpp"
#include "daemon/tls/dane_check.hpp"
#include "daemon/tls/tls_summary.hpp"

namespace sluice::daemon::delivery {

class ClientStream {
  public:
    using Clock = std::chrono::steady_clock;

    explicit ClientStream(boost::asio::any_io_executor executor);
    ~ClientStream();

    // Opens a socket of the remote's family and binds it to `source` (any port) when given;
    // the system error of a failure (EADDRNOTAVAIL, a family mismatch...).
    boost::system::error_code open(const boost::asio::ip::tcp::endpoint& remote,
                                   const std::optional<boost::asio::ip::address>& source);
    // Connects the opened socket.
    boost::asio::awaitable<boost::system::error_code> connect(
        const boost::asio::ip::tcp::endpoint& remote, Clock::time_point deadline);
    // Takes over a socket the caller connected (tests and the fuzzer use a socketpair).
    void adopt(boost::asio::ip::tcp::socket socket);
    // Reads what is available (at least one byte, or an error such as eof).
    boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> read_some(
        boost::asio::mutable_buffer buffer, Clock::time_point deadline);
    // Reads what has already arrived, without waiting (through TLS once started): 0 when
    // nothing has, and also at end of stream or on an error, which the next wait reports.
    // TLS records that carry no data (a TLS 1.3 session ticket) count as nothing.
    std::size_t read_available(boost::asio::mutable_buffer buffer);
    // Writes all of `bytes`.
    boost::asio::awaitable<boost::system::error_code> write(std::string_view bytes,
                                                            Clock::time_point deadline);

    // The client handshake over the connected socket: SNI `host_name`, and with
    // PeerVerification::system_cas the chain and the name checked; with PeerVerification::dane
    // the peer checked against `dane` (required then; SNI is its first name). Reads and writes
    // go through TLS from now on; after a failure the stream is unusable.
    boost::asio::awaitable<boost::system::error_code> start_tls(tls::ContextPtr context,
                                                                const std::string& host_name,
                                                                tls::PeerVerification verification,
                                                                const tls::DaneCheck* dane,
                                                                Clock::time_point deadline);
    // Version and cipher once start_tls() succeeded.
    [[nodiscard]] std::optional<tls::TlsSummary> tls_summary() const;

    [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
    void close();

  private:
    struct Secure;  // the TLS stream and its context
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer timer_;
    std::unique_ptr<Secure> secure_;
};

}  // namespace sluice::daemon::delivery
