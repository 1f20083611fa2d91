// One outbound ESMTP connection (RFC 5321) as a coroutine client: connect from the configured
// source address, greeting, EHLO (HELO fallback), then any number of transactions with
// per-recipient results, RSET for reuse, QUIT. PIPELINING (RFC 2920), SIZE (RFC 1870),
// 8BITMIME (RFC 6152) and SMTPUTF8 (RFC 6531) are used when offered; STARTTLS (RFC 3207) as
// ClientSettings::tls says, with EHLO again after the handshake and every reply byte received
// before it dropped (CVE-2021-38371). Timeouts follow RFC 5321 §4.5.3.2 per stage.
// Replies are matched to commands strictly: before a command (or a pipelined group, or the
// message content) is sent the server must have nothing left to say, and each reply must be
// one that can answer its command (client_command.hpp). Otherwise the session is out of step:
// it is closed and every recipient of the open transaction is deferred, whatever replies were
// read for it (only a 2xx to RCPT followed by a 2xx to the content counts as delivered).
// Owned by one delivery coroutine; not thread-safe; runs on the executor given to open().
// Failures are values: OpenResult::error, or per-recipient results (never exceptions); after
// any I/O error, timeout, protocol error or 421 the connection is unusable and only quit() or
// destruction remain. The open and reply-reading half is client_connection.cpp, transactions
// are client_transaction.cpp.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "daemon/delivery/client_command.hpp"
#include "daemon/delivery/client_stream.hpp"
#include "daemon/delivery/outbound_message.hpp"
#include "daemon/delivery/outbound_tls.hpp"
#include "daemon/delivery/reply_parser.hpp"
#include "daemon/delivery/server_extensions.hpp"
#include "daemon/smtp/reply.hpp"
#include "policy/config/model.hpp"

namespace sluice::daemon::delivery {

// RFC 5321 §4.5.3.2 defaults.
struct ClientSettings {
    std::string helo_name;
    std::optional<boost::asio::ip::address> source_address;
    std::chrono::milliseconds connect_timeout{30000};
    std::chrono::milliseconds greeting_timeout{300000};
    std::chrono::milliseconds command_timeout{300000};  // EHLO, MAIL, RCPT, RSET, QUIT
    std::chrono::milliseconds data_init_timeout{120000};
    std::chrono::milliseconds data_block_timeout{180000};  // per write of message content
    std::chrono::milliseconds data_done_timeout{600000};
    std::uint32_t max_recipients_per_transaction = 100;
    // Per connection, so a per-ISP policy can choose it. opportunistic: STARTTLS when offered
    // (in clear when not, or after a failed handshake, which is remembered for an hour);
    // required / verified: no TLS means no delivery (a synthetic 4.7.4 / 4.7.5 deferral).
    policy::config::DeliveryTls tls = policy::config::DeliveryTls::opportunistic;
    // DANE (RFC 7672 §2.2): set => STARTTLS is mandatory whatever `tls` says and the peer must
    // match one of these TLSA records (a failure defers with 4.7.5; never in clear).
    std::optional<tls::DaneCheck> dane;
    // Contexts and failure memory; without it no STARTTLS is tried at all (and required or
    // verified delivery defers).
    OutboundTls* outbound_tls = nullptr;
};

class ClientConnection;

// error set: connect failed or timed out, greeting not 220 (reply holds the 4xx/5xx greeting),
// no greeting (synthetic 4.4.2), EHLO and HELO both refused (reply holds HELO's refusal), TLS
// required but unavailable (synthetic 451 4.7.4) or its handshake (or DANE check) failed
// (synthetic 451 4.7.5), the server out of step (synthetic 451 4.5.0).
struct OpenResult {
    std::error_code error;
    smtp::Reply reply;  // the greeting on success
    bool synthetic = false;
    std::unique_ptr<ClientConnection> connection;  // set exactly when error is not
};

class ClientConnection {
  public:
    // Connects to `remote` (bound to settings.source_address if set), reads the greeting, says
    // EHLO (HELO after a 5xx to EHLO) and negotiates TLS as settings.tls says; an opportunistic
    // connection whose handshake failed is opened again in clear. `settings` is copied.
    static boost::asio::awaitable<OpenResult> open(boost::asio::any_io_executor executor,
                                                   boost::asio::ip::tcp::endpoint remote,
                                                   std::string mx_host,
                                                   const ClientSettings& settings);
    // The same over a socket the caller already connected (tests and the fuzzer): no
    // reconnection in clear after a failed opportunistic handshake.
    static boost::asio::awaitable<OpenResult> open_connected(boost::asio::any_io_executor executor,
                                                             boost::asio::ip::tcp::socket socket,
                                                             std::string mx_host,
                                                             const ClientSettings& settings);

    // Sends one message; one result per recipient, in order. Recipients beyond
    // max_recipients_per_transaction, and those a server refused with "too many recipients"
    // (452 4.5.3, RFC 5321 §4.5.3.1.10) after accepting others, go in further transactions on
    // this connection at once. A message larger than the server's SIZE limit (RFC 1870) or
    // with 8-bit content for a server without 8BITMIME (RFC 6152 §3) is not sent: every
    // recipient bounces (552 5.3.4, 554 5.6.3). `message` (and the content it views) must
    // outlive the call. Leaves no transaction open.
    boost::asio::awaitable<std::vector<RecipientResult>> send(const OutboundMessage& message);
    // RSET; false when the connection is not usable (then it should be closed).
    boost::asio::awaitable<bool> reset();
    // QUIT, a short wait for its 221, close. The connection is unusable afterwards.
    boost::asio::awaitable<void> quit();

    [[nodiscard]] bool usable() const { return usable_; }
    [[nodiscard]] const std::string& mx_host() const { return mx_host_; }
    [[nodiscard]] boost::asio::ip::tcp::endpoint remote_endpoint() const { return remote_; }
    [[nodiscard]] boost::asio::ip::address local_address() const { return local_; }
    // Whether EHLO announced `extension` ("PIPELINING", "SIZE"...); false for all after HELO.
    [[nodiscard]] bool supports(std::string_view extension) const;
    [[nodiscard]] const ServerExtensions& extensions() const { return extensions_; }
    // "TLSv1.3 with cipher ... (256 bits)" when the connection uses TLS, else "".
    [[nodiscard]] const std::string& tls_description() const { return tls_description_; }
    // Why the session went out of step ("DATA answered \"250 ok\""), or "" while it has not.
    [[nodiscard]] const std::string& protocol_error() const { return protocol_error_; }

    ClientConnection(const ClientConnection&) = delete;
    ClientConnection& operator=(const ClientConnection&) = delete;
    ~ClientConnection();

  private:
    // What one reply read ended in: a reply, or the error that came instead.
    struct Exchange {
        std::error_code error;
        smtp::Reply reply;
    };
    // Where a session stopped, for the synthetic reply's "after ..." wording.
    enum class Stage { greeting, hello, mail, rcpt, data, content, end_of_data, rset };
    struct Batch;

    ClientConnection(boost::asio::any_io_executor executor, boost::asio::ip::tcp::endpoint remote,
                     std::string mx_host, const ClientSettings& settings);

    static boost::asio::awaitable<OpenResult> start(std::unique_ptr<ClientConnection> connection,
                                                    bool& handshake_failed);
    static boost::asio::awaitable<OpenResult> open_once(boost::asio::any_io_executor executor,
                                                        boost::asio::ip::tcp::endpoint remote,
                                                        std::string mx_host,
                                                        const ClientSettings& settings,
                                                        bool& handshake_failed);
    boost::asio::awaitable<std::error_code> greet_and_hello(smtp::Reply& reply, bool& synthetic);
    boost::asio::awaitable<std::error_code> negotiate_tls(smtp::Reply& reply, bool& synthetic,
                                                          bool& handshake_failed);
    enum class HeloFallback { no, yes };
    boost::asio::awaitable<std::error_code> say_hello(HeloFallback fallback, smtp::Reply& reply,
                                                      bool& synthetic);
    // Sends the queued commands (a new group: the server must be silent first), then reads
    // one reply within `timeout`, which must be one that can answer `command`.
    boost::asio::awaitable<Exchange> exchange(ClientCommand command,
                                              std::chrono::milliseconds timeout);
    // errc::unsolicited_input (and the connection unusable) when the server sent anything not
    // yet read before `next` is sent; nothing otherwise.
    std::error_code check_in_step(ClientCommand next);
    // A protocol error: the connection becomes unusable and `why` is kept for the reply.
    std::error_code out_of_step(std::error_code error, std::string why);
    boost::asio::awaitable<std::error_code> write(std::string_view bytes,
                                                  std::chrono::milliseconds timeout);
    boost::asio::awaitable<std::optional<RecipientResult>> send_batch(
        const OutboundMessage& message, const std::string& mail_command, Batch& batch);
    boost::asio::awaitable<std::optional<RecipientResult>> read_rcpt_replies(
        const OutboundMessage& message, Batch& batch);
    boost::asio::awaitable<std::optional<RecipientResult>> send_content(
        const OutboundMessage& message, Batch& batch);
    boost::asio::awaitable<std::optional<RecipientResult>> end_empty_data(Batch& batch);
    boost::asio::awaitable<std::optional<RecipientResult>> end_transaction(Batch& batch);
    // The result for the rest of the message after `error` at `stage`; a protocol error also
    // withdraws every result the open transaction had (its replies may belong elsewhere).
    RecipientResult abandon(Batch& batch, std::error_code error, Stage stage);
    [[nodiscard]] std::string mail_command(const OutboundMessage& message) const;
    [[nodiscard]] std::string rcpt_command(const OutboundMessage& message, std::size_t i) const;
    void queue(std::string_view command) { output_ += command; }
    // The synthetic result for an error instead of a reply at `stage`.
    [[nodiscard]] RecipientResult lost(std::error_code error, Stage stage,
                                       RecipientOutcome outcome) const;
    void mark_unusable();

    ClientStream stream_;
    boost::asio::ip::tcp::endpoint remote_;
    boost::asio::ip::address local_;
    std::string mx_host_;
    ClientSettings settings_;
    ServerExtensions extensions_;
    ReplyParser parser_;
    std::string input_;   // bytes read and not yet parsed (replies to pipelined commands)
    std::string output_;  // commands queued for the next write
    std::string tls_description_;
    std::string protocol_error_;
    bool usable_ = true;
};

}  // namespace sluice::daemon::delivery
