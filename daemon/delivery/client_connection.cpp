#include "daemon/delivery/client_connection.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/error.hpp>
#include <utility>

#include "common/assert.hpp"
#include "daemon/delivery/dot_stuffer.hpp"
#include "daemon/delivery/errc.hpp"

namespace sluice::daemon::delivery {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using Clock = ClientStream::Clock;
using namespace std::chrono_literals;

namespace {

// QUIT is a courtesy: its 221 is waited for briefly, whatever command_timeout says.
constexpr std::chrono::milliseconds kQuitTimeout = 5s;
constexpr std::size_t kReadSize = 4096;
// How much of unsolicited input a diagnostic quotes.
constexpr std::size_t kQuotedInput = 60;

std::error_code from_io_error(const boost::system::error_code& ec) {
    return ec == asio::error::timed_out ? errc::timed_out : errc::connection_lost;
}

bool is_positive_completion(const smtp::Reply& reply) {
    return reply.code / 100 == 2;
}

// What a server sent, for a diagnostic that ends up in replies, DSNs and logs: printable
// ASCII, anything else as '?' (no escapes, so the log's own escaping cannot double them).
std::string quoted(std::string_view bytes) {
    std::string out;
    for (char c : bytes.substr(0, kQuotedInput)) {
        const auto byte = static_cast<unsigned char>(c);
        out += byte >= 0x20 && byte < 0x7f ? c : '?';
    }
    if (bytes.size() > kQuotedInput) out += "...";
    return out;
}

}  // namespace

ClientConnection::ClientConnection(asio::any_io_executor executor, tcp::endpoint remote,
                                   std::string mx_host, const ClientSettings& settings)
    : stream_(std::move(executor)),
      remote_(std::move(remote)),
      mx_host_(std::move(mx_host)),
      settings_(settings) {}

ClientConnection::~ClientConnection() {
    stream_.close();
}

bool ClientConnection::supports(std::string_view extension) const {
    return extensions_.supports(extension);
}

awaitable<OpenResult> ClientConnection::open(asio::any_io_executor executor, tcp::endpoint remote,
                                             std::string mx_host, const ClientSettings& settings) {
    bool handshake_failed = false;
    OpenResult result = co_await open_once(executor, remote, mx_host, settings, handshake_failed);
    if (!handshake_failed || settings.tls != policy::config::DeliveryTls::opportunistic ||
        settings.dane) {
        co_return result;
    }
    // Opportunistic TLS that failed: better in clear than not at all (RFC 7435); never under
    // DANE (RFC 7672 §2.2: TLSA records make TLS mandatory).
    ClientSettings in_clear = settings;
    in_clear.tls = policy::config::DeliveryTls::none;
    co_return co_await open_once(executor, remote, mx_host, in_clear, handshake_failed);
}

awaitable<OpenResult> ClientConnection::open_once(asio::any_io_executor executor,
                                                  tcp::endpoint remote, std::string mx_host,
                                                  const ClientSettings& settings,
                                                  bool& handshake_failed) {
    std::unique_ptr<ClientConnection> connection(
        new ClientConnection(std::move(executor), remote, std::move(mx_host), settings));
    OpenResult result;
    if (auto ec = connection->stream_.open(remote, settings.source_address)) {
        result.error = errc::bind_failed;
        result.reply = {451, "4.4.1", "Cannot bind the source address: " + ec.message()};
        result.synthetic = true;
        co_return result;
    }
    if (auto ec =
            co_await connection->stream_.connect(remote, Clock::now() + settings.connect_timeout)) {
        const bool timed_out = ec == asio::error::timed_out;
        result.error = timed_out ? errc::connect_timed_out : errc::connect_failed;
        result.reply = {451, "4.4.1",
                        timed_out ? "Connection timed out" : "Cannot connect: " + ec.message()};
        result.synthetic = true;
        co_return result;
    }
    co_return co_await start(std::move(connection), handshake_failed);
}

awaitable<OpenResult> ClientConnection::open_connected(asio::any_io_executor executor,
                                                       tcp::socket socket, std::string mx_host,
                                                       const ClientSettings& settings) {
    boost::system::error_code ignored;
    const tcp::endpoint remote = socket.remote_endpoint(ignored);
    std::unique_ptr<ClientConnection> connection(
        new ClientConnection(std::move(executor), remote, std::move(mx_host), settings));
    connection->stream_.adopt(std::move(socket));
    bool handshake_failed = false;
    co_return co_await start(std::move(connection), handshake_failed);
}

// Greeting, EHLO and TLS over a connected stream.
awaitable<OpenResult> ClientConnection::start(std::unique_ptr<ClientConnection> connection,
                                              bool& handshake_failed) {
    OpenResult result;
    connection->local_ = connection->stream_.local_endpoint().address();
    result.error = co_await connection->greet_and_hello(result.reply, result.synthetic);
    if (!result.error) {
        result.error =
            co_await connection->negotiate_tls(result.reply, result.synthetic, handshake_failed);
    }
    if (result.error) {
        co_await connection->quit();
        co_return result;
    }
    result.connection = std::move(connection);
    co_return result;
}

// RFC 5321 §3.1 greeting, then EHLO (HELO after a 5xx to it).
awaitable<std::error_code> ClientConnection::greet_and_hello(smtp::Reply& reply, bool& synthetic) {
    auto greeting = co_await exchange(ClientCommand::greeting, settings_.greeting_timeout);
    if (greeting.error) {
        reply = lost(greeting.error, Stage::greeting, RecipientOutcome::deferred).reply;
        synthetic = true;
        co_return greeting.error;
    }
    reply = greeting.reply;
    if (reply.code != 220) co_return errc::greeting_refused;
    co_return co_await say_hello(HeloFallback::yes, reply, synthetic);
}

// RFC 5321 §4.1.1.1 EHLO, with the HELO fallback for servers that refuse EHLO.
awaitable<std::error_code> ClientConnection::say_hello(HeloFallback fallback, smtp::Reply& reply,
                                                       bool& synthetic) {
    extensions_ = ServerExtensions{};
    queue("EHLO " + settings_.helo_name + "\r\n");
    auto hello = co_await exchange(ClientCommand::ehlo, settings_.command_timeout);
    if (!hello.error && hello.reply.code / 100 == 5 && fallback == HeloFallback::yes) {
        queue("HELO " + settings_.helo_name + "\r\n");
        hello = co_await exchange(ClientCommand::helo, settings_.command_timeout);
    } else if (!hello.error && is_positive_completion(hello.reply)) {
        extensions_ = ServerExtensions::from_ehlo(hello.reply);
    }
    if (hello.error) {
        reply = lost(hello.error, Stage::hello, RecipientOutcome::deferred).reply;
        synthetic = true;
        co_return hello.error;
    }
    if (!is_positive_completion(hello.reply)) {
        reply = hello.reply;
        co_return errc::hello_refused;
    }
    co_return std::error_code{};
}

// RFC 3207 as settings_.tls says. Errors are set only when the connection must not be used:
// TLS required but not to be had, a failed handshake (`handshake_failed`), or the EHLO after it.
awaitable<std::error_code> ClientConnection::negotiate_tls(smtp::Reply& reply, bool& synthetic,
                                                           bool& handshake_failed) {
    using policy::config::DeliveryTls;
    const DeliveryTls policy = settings_.tls;
    const tls::DaneCheck* dane = settings_.dane ? &*settings_.dane : nullptr;
    if (policy == DeliveryTls::none && !dane) co_return std::error_code{};
    const bool must = policy != DeliveryTls::opportunistic || dane;
    // Said in every refusal, so a deferral shows why TLS was not optional.
    const std::string why = dane ? " (DANE)" : "";
    OutboundTls* shared = settings_.outbound_tls;
    const std::string peer = remote_.address().to_string();
    if (!must && (!shared || shared->recently_failed(peer, Clock::now()))) {
        co_return std::error_code{};
    }
    if (!shared || !supports("STARTTLS")) {
        if (!must) co_return std::error_code{};
        reply = {451, "4.7.4", "TLS is required" + why + ", but was not offered by " + mx_host_};
        synthetic = true;
        co_return errc::tls_unavailable;
    }
    const auto verification = dane                              ? tls::PeerVerification::dane
                              : policy == DeliveryTls::verified ? tls::PeerVerification::system_cas
                                                                : tls::PeerVerification::none;
    tls::ContextPtr context = shared->context(verification);
    if (!context) {
        reply = {451, "4.7.5",
                 "Cannot verify TLS certificates: " + shared->verified_context_error()};
        synthetic = true;
        co_return errc::tls_failed;
    }
    queue("STARTTLS\r\n");
    const auto answer = co_await exchange(ClientCommand::starttls, settings_.command_timeout);
    if (answer.error) {
        reply = lost(answer.error, Stage::hello, RecipientOutcome::deferred).reply;
        synthetic = true;
        co_return answer.error;
    }
    if (answer.reply.code != 220) {
        if (!must) co_return std::error_code{};  // RFC 3207 §4: go on in clear
        reply = {451, "4.7.4",
                 "TLS is required" + why + ", but STARTTLS was refused by " + mx_host_ + ": " +
                     answer.reply.summary()};
        synthetic = true;
        co_return errc::tls_unavailable;
    }
    // CVE-2021-38371: whatever followed the 220 came in clear text, possibly from a man in the
    // middle; it must not be read as replies inside TLS.
    input_.clear();
    parser_ = ReplyParser{};
    const auto ec = co_await stream_.start_tls(std::move(context), mx_host_, verification, dane,
                                               Clock::now() + settings_.command_timeout);
    if (ec) {
        // Only a handshake that failed without checking the peer is broken TLS. A TLSA or
        // certificate mismatch (DANE, MTA-STS, verified) is not: remembering it would send
        // other domains' opportunistic mail to this peer in clear for an hour.
        if (!dane && verification == tls::PeerVerification::none) {
            shared->remember_failure(peer, Clock::now());
        }
        handshake_failed = true;
        mark_unusable();
        reply = {451, "4.7.5",
                 "TLS handshake with " + mx_host_ + " failed" + why + ": " + ec.message()};
        synthetic = true;
        co_return errc::tls_failed;
    }
    if (auto summary = stream_.tls_summary()) tls_description_ = summary->to_string();
    // RFC 3207 §4.2: the extensions announced before TLS are forgotten and asked for again.
    co_return co_await say_hello(HeloFallback::no, reply, synthetic);
}

awaitable<bool> ClientConnection::reset() {
    if (!usable_) co_return false;
    queue("RSET\r\n");
    const auto reply = co_await exchange(ClientCommand::rset, settings_.command_timeout);
    if (reply.error || !is_positive_completion(reply.reply)) {
        mark_unusable();
        co_return false;
    }
    co_return true;
}

awaitable<void> ClientConnection::quit() {
    if (usable_) {
        queue("QUIT\r\n");
        (void)co_await exchange(ClientCommand::quit,
                                std::min(settings_.command_timeout, kQuitTimeout));
    }
    mark_unusable();
}

awaitable<ClientConnection::Exchange> ClientConnection::exchange(
    ClientCommand command, std::chrono::milliseconds timeout) {
    if (!usable_) co_return Exchange{errc::not_usable, {}};
    const auto deadline = Clock::now() + timeout;
    if (!output_.empty()) {
        if (auto ec = check_in_step(command)) co_return Exchange{ec, {}};
        const std::string commands = std::exchange(output_, {});
        if (auto ec = co_await stream_.write(commands, deadline)) {
            mark_unusable();
            co_return Exchange{from_io_error(ec), {}};
        }
    }
    std::array<char, kReadSize> buffer;
    for (;;) {
        input_.erase(0, parser_.consume(input_));
        if (parser_.state() == ReplyParser::State::complete) {
            Exchange result{{}, parser_.take_reply()};
            if (!can_answer(command, result.reply.code)) {
                const std::string why = std::string(to_string(command)) + " answered \"" +
                                        quoted(result.reply.summary()) + "\"";
                result.error = out_of_step(errc::unexpected_reply, why);
            } else if (result.reply.code == 421) {
                mark_unusable();  // RFC 5321 §3.8: the server closes
            }
            co_return result;
        }
        if (parser_.state() == ReplyParser::State::failed) {
            co_return Exchange{out_of_step(parser_.error(), parser_.error().message()), {}};
        }
        auto [ec, n] = co_await stream_.read_some(asio::buffer(buffer), deadline);
        if (ec) {
            mark_unusable();
            co_return Exchange{from_io_error(ec), {}};
        }
        input_.append(buffer.data(), n);
    }
}

// RFC 2920 §3.1: a client sends a new group only once every reply to the last one is in, so
// anything the server sent by now answers nothing the client asked: it is out of step (an
// extra reply shifts every later one) and no reply it sends can be trusted.
std::error_code ClientConnection::check_in_step(ClientCommand next) {
    if (input_.empty() && parser_.idle()) {
        std::array<char, kReadSize> buffer;
        const std::size_t n = stream_.read_available(asio::buffer(buffer));
        if (n == 0) return {};
        input_.append(buffer.data(), n);
    }
    return out_of_step(errc::unsolicited_input, "unsolicited input before " +
                                                    std::string(to_string(next)) + ": \"" +
                                                    quoted(input_) + "\"");
}

std::error_code ClientConnection::out_of_step(std::error_code error, std::string why) {
    protocol_error_ = std::move(why);
    mark_unusable();
    return error;
}

awaitable<std::error_code> ClientConnection::write(std::string_view bytes,
                                                   std::chrono::milliseconds timeout) {
    if (!usable_) co_return errc::not_usable;
    if (auto ec = co_await stream_.write(bytes, Clock::now() + timeout)) {
        mark_unusable();
        co_return from_io_error(ec);
    }
    co_return std::error_code{};
}

RecipientResult ClientConnection::lost(std::error_code error, Stage stage,
                                       RecipientOutcome outcome) const {
    static constexpr std::array<const char*, 8> kWhen = {"while waiting for the greeting",
                                                         "after EHLO/HELO",
                                                         "after MAIL FROM",
                                                         "after RCPT TO",
                                                         "after DATA",
                                                         "while sending the message",
                                                         "after end of data",
                                                         "after RSET"};
    const char* when = kWhen[static_cast<std::size_t>(stage)];
    RecipientResult result{outcome, {}, true};
    if (is_protocol_error(error)) {
        // RFC 3463 X.5.0: other or undefined protocol status.
        result.reply = {451, "4.5.0",
                        "Protocol error " + std::string(when) + " with " + mx_host_ + ": " +
                            protocol_error_ + "; session closed"};
        return result;
    }
    if (error == errc::not_usable) {
        result.reply = {451, "4.4.2",
                        protocol_error_.empty() ? "Connection not usable"
                                                : "Connection not usable: " + protocol_error_};
        return result;
    }
    const std::string what = error == errc::timed_out ? "Timed out" : "Connection lost";
    result.reply = {451, "4.4.2", what + " " + when + " with " + mx_host_};
    return result;
}

void ClientConnection::mark_unusable() {
    usable_ = false;
    output_.clear();
    stream_.close();
}

}  // namespace sluice::daemon::delivery
