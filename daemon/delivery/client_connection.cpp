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

std::error_code from_io_error(const boost::system::error_code& ec) {
    return ec == asio::error::timed_out ? errc::timed_out : errc::connection_lost;
}

bool is_positive_completion(const smtp::Reply& reply) {
    return reply.code / 100 == 2;
}

// A refusal of DATA (anything but 354): only a 5xx is permanent.
RecipientResult result_from_refusal(const smtp::Reply& reply) {
    return {reply.code / 100 == 5 ? RecipientOutcome::bounced : RecipientOutcome::deferred, reply,
            false};
}

RecipientResult synthetic(RecipientOutcome outcome, int code, std::string enhanced,
                          std::string text) {
    return {outcome, smtp::Reply(code, std::move(enhanced), std::move(text)), true};
}

// An address Sluice would put between angle brackets: anything that could end the command line
// early or smuggle a second command is refused (RFC 5321 §2.3.8: never a bare CR or LF).
bool is_sendable_address(std::string_view address) {
    return std::none_of(address.begin(), address.end(),
                        [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

std::string rcpt_command(const std::string& recipient) {
    return "RCPT TO:<" + recipient + ">\r\n";
}

}  // namespace

enum class ClientConnection::Stage {
    greeting,
    hello,
    mail,
    rcpt,
    data,
    content,
    end_of_data,
    rset
};

// One transaction's recipients (indices into the message's list) and their results.
struct ClientConnection::Batch {
    std::vector<std::size_t> recipients;
    std::vector<std::optional<RecipientResult>>& results;
    bool pipelining = false;
    bool mail_accepted = false;
    std::vector<std::size_t> accepted;  // RCPT answered 2xx
};

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
    OpenResult result =
        co_await open_once(executor, remote, mx_host, settings, handshake_failed);
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

// RFC 5321 §3.1 greeting, §4.1.1.1 EHLO, with the HELO fallback for servers that refuse EHLO.
awaitable<std::error_code> ClientConnection::greet_and_hello(smtp::Reply& reply, bool& synthetic) {
    auto greeting = co_await exchange(settings_.greeting_timeout);
    if (greeting.error) {
        reply = lost(greeting.error, Stage::greeting, RecipientOutcome::deferred).reply;
        synthetic = true;
        co_return greeting.error;
    }
    reply = greeting.reply;
    if (reply.code != 220) co_return errc::greeting_refused;

    queue("EHLO " + settings_.helo_name + "\r\n");
    auto hello = co_await exchange(settings_.command_timeout);
    if (!hello.error && hello.reply.code / 100 == 5) {
        queue("HELO " + settings_.helo_name + "\r\n");
        hello = co_await exchange(settings_.command_timeout);
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
    const auto verification = dane                            ? tls::PeerVerification::dane
                              : policy == DeliveryTls::verified ? tls::PeerVerification::system_cas
                                                                : tls::PeerVerification::none;
    tls::ContextPtr context = shared->context(verification);
    if (!context) {
        reply = {451, "4.7.5", "Cannot verify TLS certificates: " + shared->verified_context_error()};
        synthetic = true;
        co_return errc::tls_failed;
    }
    queue("STARTTLS\r\n");
    const auto answer = co_await exchange(settings_.command_timeout);
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
    co_return co_await hello_again(reply, synthetic);
}

// RFC 3207 §4.2: the extensions announced before TLS are forgotten and asked for again.
awaitable<std::error_code> ClientConnection::hello_again(smtp::Reply& reply, bool& synthetic) {
    extensions_ = ServerExtensions{};
    queue("EHLO " + settings_.helo_name + "\r\n");
    const auto hello = co_await exchange(settings_.command_timeout);
    if (hello.error) {
        reply = lost(hello.error, Stage::hello, RecipientOutcome::deferred).reply;
        synthetic = true;
        co_return hello.error;
    }
    if (!is_positive_completion(hello.reply)) {
        reply = hello.reply;
        co_return errc::hello_refused;
    }
    extensions_ = ServerExtensions::from_ehlo(hello.reply);
    co_return std::error_code{};
}

awaitable<std::vector<RecipientResult>> ClientConnection::send(const OutboundMessage& message) {
    const std::size_t count = message.recipients.size();
    std::vector<std::optional<RecipientResult>> results(count);
    std::optional<RecipientResult> stop;  // the result of every recipient left without one
    if (!usable_) {
        stop = lost(errc::not_usable, Stage::mail, RecipientOutcome::deferred);
    } else if (!is_sendable_address(message.sender)) {
        stop = synthetic(RecipientOutcome::bounced, 553, "5.1.7", "Invalid sender address");
    } else if (message.smtputf8 && !supports("SMTPUTF8")) {
        stop = synthetic(RecipientOutcome::bounced, 550, "5.6.7",
                         "SMTPUTF8 is required but not offered by " + mx_host_);  // RFC 6531 §3.2
    }
    std::vector<std::size_t> sendable;
    for (std::size_t i = 0; i < count && !stop; ++i) {
        if (is_sendable_address(message.recipients[i])) {
            sendable.push_back(i);
        } else {
            results[i] =
                synthetic(RecipientOutcome::bounced, 553, "5.1.3", "Invalid recipient address");
        }
    }
    const std::string mail = mail_command(message);
    const std::size_t per_transaction =
        std::max<std::size_t>(1, settings_.max_recipients_per_transaction);
    for (std::size_t first = 0; first < sendable.size() && !stop; first += per_transaction) {
        if (!usable_) {
            stop = lost(errc::not_usable, Stage::mail, RecipientOutcome::deferred);
            break;
        }
        const std::size_t last = std::min(sendable.size(), first + per_transaction);
        Batch batch{{sendable.begin() + first, sendable.begin() + last},
                    results,
                    supports("PIPELINING"),
                    false,
                    {}};
        stop = co_await send_batch(message, mail, batch);
    }
    std::vector<RecipientResult> out;
    out.reserve(count);
    for (auto& result : results) {
        SLUICE_ASSERT(result || stop, "a recipient without a result");
        out.push_back(result ? std::move(*result) : *stop);
    }
    co_return out;
}

// One transaction (RFC 5321 §3.3). With PIPELINING, MAIL, every RCPT and DATA go in one write
// (RFC 2920 §3.1: DATA ends the group) and the replies are read in order; without it, each
// command waits for the reply before it. A returned result applies to every recipient of the
// message still without one (the transaction cannot go on: MAIL refused, 421, connection lost).
awaitable<std::optional<RecipientResult>> ClientConnection::send_batch(
    const OutboundMessage& message, const std::string& mail_command, Batch& batch) {
    const bool pipelining = batch.pipelining;
    queue(mail_command);
    if (pipelining) {
        for (std::size_t i : batch.recipients) queue(rcpt_command(message.recipients[i]));
        queue("DATA\r\n");
    }
    const auto mail = co_await exchange(settings_.command_timeout);
    if (mail.error) co_return lost(mail.error, Stage::mail, RecipientOutcome::deferred);
    batch.mail_accepted = is_positive_completion(mail.reply);
    const bool mail_ok = batch.mail_accepted;
    if (mail.reply.code == 421 || (!mail_ok && !pipelining)) {
        co_return result_from_reply(mail.reply);
    }
    if (auto stop = co_await read_rcpt_replies(message, batch)) co_return stop;
    if (!pipelining && batch.accepted.empty()) {
        co_await reset();  // a failed RSET leaves the connection unusable; results stand
        co_return std::nullopt;
    }
    if (!pipelining) queue("DATA\r\n");
    const auto data = co_await exchange(settings_.data_init_timeout);
    if (data.error) co_return lost(data.error, Stage::data, RecipientOutcome::deferred);
    if (data.reply.code == 421) co_return result_from_reply(data.reply);
    if (!mail_ok || batch.accepted.empty()) {
        // RFC 2920 §3.1: a server may answer 354 even so; an empty message ends the transaction.
        if (data.reply.code == 354) {
            if (auto stop = co_await end_empty_data()) co_return stop;
        } else if (mail_ok) {
            co_await reset();
        }
        if (!mail_ok) co_return result_from_reply(mail.reply);
        co_return std::nullopt;
    }
    if (data.reply.code != 354) {
        for (std::size_t i : batch.accepted) batch.results[i] = result_from_refusal(data.reply);
        // Only 4xx/5xx leave the server in a known state; anything else is confusion.
        if (data.reply.code / 100 != 4 && data.reply.code / 100 != 5) mark_unusable();
        co_await reset();
        co_return std::nullopt;
    }
    co_return co_await send_content(message, batch);
}

// The RCPT replies, in order (each RCPT is sent first unless pipelined). Accepted recipients are
// collected; refused ones get their reply. After a refused MAIL the replies are only read.
awaitable<std::optional<RecipientResult>> ClientConnection::read_rcpt_replies(
    const OutboundMessage& message, Batch& batch) {
    for (std::size_t i : batch.recipients) {
        if (!batch.pipelining) queue(rcpt_command(message.recipients[i]));
        const auto rcpt = co_await exchange(settings_.command_timeout);
        if (rcpt.error) co_return lost(rcpt.error, Stage::rcpt, RecipientOutcome::deferred);
        if (rcpt.reply.code == 421) co_return result_from_reply(rcpt.reply);
        if (!batch.mail_accepted) continue;
        if (is_positive_completion(rcpt.reply)) {
            batch.accepted.push_back(i);
        } else {
            batch.results[i] = result_from_reply(rcpt.reply);
        }
    }
    co_return std::nullopt;
}

// The message content in pieces, each write bounded by data_block_timeout, then the final reply
// within data_done_timeout. Once the final dot is out, a missing reply means the message may
// have been delivered (RFC 1047): those recipients are possibly_delivered, never deferred.
awaitable<std::optional<RecipientResult>> ClientConnection::send_content(
    const OutboundMessage& message, Batch& batch) {
    constexpr std::size_t kPiece = 64 * 1024;
    const std::string_view content = message.content;
    DotStuffer stuffer;
    std::string wire;
    std::size_t at = 0;
    do {
        const std::string_view piece = content.substr(at, kPiece);
        at += piece.size();
        wire.clear();
        stuffer.encode(piece, wire);
        if (at >= content.size()) stuffer.finish(wire);
        if (auto ec = co_await write(wire, settings_.data_block_timeout)) {
            co_return lost(ec, Stage::content, RecipientOutcome::deferred);
        }
    } while (at < content.size());

    const auto done = co_await exchange(settings_.data_done_timeout);
    if (done.error) {
        for (std::size_t i : batch.accepted) {
            batch.results[i] =
                lost(done.error, Stage::end_of_data, RecipientOutcome::possibly_delivered);
        }
        co_return lost(done.error, Stage::end_of_data, RecipientOutcome::deferred);
    }
    for (std::size_t i : batch.accepted) batch.results[i] = result_from_reply(done.reply);
    if (done.reply.code == 421) co_return result_from_reply(done.reply);
    co_return std::nullopt;
}

// Ends a DATA the server accepted although no recipient was: the final reply is read and
// ignored, every recipient already has its RCPT refusal (or the MAIL refusal applies).
awaitable<std::optional<RecipientResult>> ClientConnection::end_empty_data() {
    queue(".\r\n");
    const auto done = co_await exchange(settings_.data_done_timeout);
    if (done.error) co_return lost(done.error, Stage::end_of_data, RecipientOutcome::deferred);
    if (done.reply.code == 421) co_return result_from_reply(done.reply);
    co_return std::nullopt;
}

awaitable<bool> ClientConnection::reset() {
    if (!usable_) co_return false;
    queue("RSET\r\n");
    const auto reply = co_await exchange(settings_.command_timeout);
    if (reply.error || !is_positive_completion(reply.reply)) {
        mark_unusable();
        co_return false;
    }
    co_return true;
}

awaitable<void> ClientConnection::quit() {
    if (usable_) {
        queue("QUIT\r\n");
        (void)co_await exchange(std::min(settings_.command_timeout, kQuitTimeout));
    }
    mark_unusable();
}

std::string ClientConnection::mail_command(const OutboundMessage& message) const {
    std::string command = "MAIL FROM:<" + message.sender + ">";
    if (supports("SIZE")) {
        // RFC 1870 §3: the size with CRLFs, without dot-stuffing; an estimate is allowed.
        const bool ends_in_crlf = message.content.ends_with("\r\n");
        command += " SIZE=" + std::to_string(message.content.size() + (ends_in_crlf ? 0 : 2));
    }
    // RFC 6152: without 8BITMIME the content goes as is, like Postfix does by default.
    if (message.eight_bit && supports("8BITMIME")) command += " BODY=8BITMIME";
    if (message.smtputf8 && supports("SMTPUTF8")) command += " SMTPUTF8";
    return command + "\r\n";
}

awaitable<ClientConnection::Exchange> ClientConnection::exchange(
    std::chrono::milliseconds timeout) {
    if (!usable_) co_return Exchange{errc::not_usable, {}};
    const auto deadline = Clock::now() + timeout;
    if (!output_.empty()) {
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
            if (result.reply.code == 421) mark_unusable();  // RFC 5321 §3.8: the server closes
            co_return result;
        }
        if (parser_.state() == ReplyParser::State::failed) {
            mark_unusable();
            co_return Exchange{parser_.error(), {}};
        }
        auto [ec, n] = co_await stream_.read_some(asio::buffer(buffer), deadline);
        if (ec) {
            mark_unusable();
            co_return Exchange{from_io_error(ec), {}};
        }
        input_.append(buffer.data(), n);
    }
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
    const bool protocol = error == errc::malformed_reply || error == errc::reply_too_long;
    std::string what = error == errc::timed_out         ? "Timed out"
                       : error == errc::malformed_reply ? "Malformed reply"
                       : error == errc::reply_too_long  ? "Reply too long"
                       : error == errc::not_usable      ? "Connection not usable"
                                                        : "Connection lost";
    if (error == errc::not_usable) return synthetic(outcome, 451, "4.4.2", what);
    return synthetic(outcome, 451, protocol ? "4.5.0" : "4.4.2",
                     what + " " + when + " with " + mx_host_);
}

void ClientConnection::mark_unusable() {
    usable_ = false;
    output_.clear();
    stream_.close();
}

}  // namespace sluice::daemon::delivery
