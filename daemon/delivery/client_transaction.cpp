// ClientConnection's mail transactions (RFC 5321 §3.3): MAIL, RCPT, DATA and the content, one
// transaction per max_recipients_per_transaction recipients, with PIPELINING when offered
// (RFC 2920). The contract is in client_connection.hpp; greeting, TLS and reply reading are in
// client_connection.cpp.
#include <algorithm>
#include <deque>
#include <utility>

#include "common/assert.hpp"
#include "daemon/delivery/client_connection.hpp"
#include "daemon/delivery/dot_stuffer.hpp"
#include "daemon/delivery/errc.hpp"
#include "daemon/delivery/send_rules.hpp"

namespace sluice::daemon::delivery {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

bool is_positive_completion(const smtp::Reply& reply) {
    return reply.code / 100 == 2;
}

// A refusal of DATA (exchange() lets only 354, 4xx and 5xx through): only a 5xx is permanent.
RecipientResult result_from_refusal(const smtp::Reply& reply) {
    return {reply.code / 100 == 5 ? RecipientOutcome::bounced : RecipientOutcome::deferred, reply,
            false};
}

}  // namespace

std::string ClientConnection::rcpt_command(const OutboundMessage& message, std::size_t i) const {
    std::string command = "RCPT TO:<" + message.recipients[i] + ">";
    // RFC 3461 §5.2.1: a server that offers DSN gets NOTIFY= and ORCPT= as they came.
    if (i < message.dsn_rcpt_params.size() && !message.dsn_rcpt_params[i].empty() &&
        supports("DSN")) {
        command += " " + message.dsn_rcpt_params[i];
    }
    return command + "\r\n";
}

// One transaction's recipients (indices into the message's list) and their results.
struct ClientConnection::Batch {
    std::vector<std::size_t> recipients;
    std::vector<std::optional<RecipientResult>>& results;
    bool pipelining = false;
    bool mail_accepted = false;
    std::vector<std::size_t> accepted;      // RCPT answered 2xx
    std::vector<std::size_t> carried_over;  // "too many recipients": for the next transaction
};

awaitable<std::vector<RecipientResult>> ClientConnection::send(const OutboundMessage& message) {
    const std::size_t count = message.recipients.size();
    std::vector<std::optional<RecipientResult>> results(count);
    std::optional<RecipientResult> stop;  // the result of every recipient left without one
    if (!usable_) {
        stop = lost(errc::not_usable, Stage::mail, RecipientOutcome::deferred);
    } else {
        stop = refusal_before_sending(message, extensions_, mx_host_);
    }
    std::deque<std::size_t> waiting;
    for (std::size_t i = 0; i < count && !stop; ++i) {
        if (is_sendable_address(message.recipients[i])) {
            waiting.push_back(i);
        } else {
            results[i] =
                RecipientResult{RecipientOutcome::bounced,
                                smtp::Reply(553, "5.1.3", "Invalid recipient address"), true};
        }
    }
    const std::string mail = mail_command(message);
    const std::size_t per_transaction =
        std::max<std::size_t>(1, settings_.max_recipients_per_transaction);
    while (!waiting.empty() && !stop) {
        if (!usable_) {
            stop = lost(errc::not_usable, Stage::mail, RecipientOutcome::deferred);
            break;
        }
        const auto end = waiting.begin() +
                         static_cast<std::ptrdiff_t>(std::min(waiting.size(), per_transaction));
        Batch batch{{waiting.begin(), end}, results, supports("PIPELINING"), false, {}, {}};
        waiting.erase(waiting.begin(), end);
        stop = co_await send_batch(message, mail, batch);
        // RFC 5321 §4.5.3.1.10: recipients the server had no room for go in a new transaction
        // at once. Only a transaction that accepted someone carries any over, so this ends.
        waiting.insert(waiting.begin(), batch.carried_over.begin(), batch.carried_over.end());
    }
    std::vector<RecipientResult> out;
    out.reserve(count);
    for (auto& result : results) {
        SLUICE_ASSERT(result || stop, "a recipient without a result");
        out.push_back(result ? std::move(*result) : *stop);
    }
    co_return out;
}

// One transaction. With PIPELINING, MAIL, every RCPT and DATA go in one write (RFC 2920 §3.1:
// DATA ends the group) and exactly one reply per command is read, in order; without it, each
// command waits for the reply before it. A returned result applies to every recipient of the
// message still without one (the transaction cannot go on: MAIL refused, 421, connection lost,
// the server out of step).
awaitable<std::optional<RecipientResult>> ClientConnection::send_batch(
    const OutboundMessage& message, const std::string& mail_command, Batch& batch) {
    const bool pipelining = batch.pipelining;
    queue(mail_command);
    if (pipelining) {
        for (std::size_t i : batch.recipients) queue(rcpt_command(message, i));
        queue("DATA\r\n");
    }
    const auto mail = co_await exchange(ClientCommand::mail, settings_.command_timeout);
    if (mail.error) co_return abandon(batch, mail.error, Stage::mail);
    batch.mail_accepted = is_positive_completion(mail.reply);
    const bool mail_ok = batch.mail_accepted;
    if (mail.reply.code == 421 || (!mail_ok && !pipelining)) {
        co_return result_from_reply(mail.reply);
    }
    if (auto stop = co_await read_rcpt_replies(message, batch)) co_return stop;
    if (!pipelining && batch.accepted.empty()) co_return co_await end_transaction(batch);
    if (!pipelining) queue("DATA\r\n");
    const auto data = co_await exchange(ClientCommand::data, settings_.data_init_timeout);
    if (data.error) co_return abandon(batch, data.error, Stage::data);
    if (data.reply.code == 421) co_return result_from_reply(data.reply);
    if (!mail_ok || batch.accepted.empty()) {
        // RFC 2920 §3.1: a server may answer 354 even so; an empty message ends the transaction.
        if (data.reply.code == 354) {
            if (auto stop = co_await end_empty_data(batch)) co_return stop;
        } else if (mail_ok) {
            if (auto stop = co_await end_transaction(batch)) co_return stop;
        }
        if (!mail_ok) co_return result_from_reply(mail.reply);
        co_return std::nullopt;
    }
    if (data.reply.code != 354) {
        for (std::size_t i : batch.accepted) batch.results[i] = result_from_refusal(data.reply);
        co_return co_await end_transaction(batch);
    }
    co_return co_await send_content(message, batch);
}

// The RCPT replies, in order (each RCPT is sent first unless pipelined). Accepted recipients are
// collected; refused ones get their reply. After a refused MAIL the replies are only read.
awaitable<std::optional<RecipientResult>> ClientConnection::read_rcpt_replies(
    const OutboundMessage& message, Batch& batch) {
    for (std::size_t k = 0; k < batch.recipients.size(); ++k) {
        const std::size_t i = batch.recipients[k];
        if (!batch.pipelining) queue(rcpt_command(message, i));
        const auto rcpt = co_await exchange(ClientCommand::rcpt, settings_.command_timeout);
        if (rcpt.error) co_return abandon(batch, rcpt.error, Stage::rcpt);
        if (rcpt.reply.code == 421) co_return result_from_reply(rcpt.reply);
        if (!batch.mail_accepted) continue;
        if (is_positive_completion(rcpt.reply)) {
            batch.accepted.push_back(i);
        } else if (is_too_many_recipients(rcpt.reply) && !batch.accepted.empty()) {
            batch.carried_over.push_back(i);
            if (batch.pipelining) continue;
            // Lockstep: the rest would be refused the same way; they are not even asked for.
            batch.carried_over.insert(batch.carried_over.end(), batch.recipients.begin() + k + 1,
                                      batch.recipients.end());
            break;
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
    // The content is not a pipelined command: the group before it must be answered exactly.
    if (auto ec = check_in_step(ClientCommand::end_of_data)) {
        co_return abandon(batch, ec, Stage::data);
    }
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

    const auto done = co_await exchange(ClientCommand::end_of_data, settings_.data_done_timeout);
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
awaitable<std::optional<RecipientResult>> ClientConnection::end_empty_data(Batch& batch) {
    queue(".\r\n");
    const auto done = co_await exchange(ClientCommand::end_of_data, settings_.data_done_timeout);
    if (done.error) co_return abandon(batch, done.error, Stage::end_of_data);
    if (done.reply.code == 421) co_return result_from_reply(done.reply);
    co_return std::nullopt;
}

// RSET after a transaction that sent no content. Its results stand unless the RSET shows the
// server out of step; any other failure only leaves the connection unusable.
awaitable<std::optional<RecipientResult>> ClientConnection::end_transaction(Batch& batch) {
    if (!usable_) co_return std::nullopt;
    queue("RSET\r\n");
    const auto reply = co_await exchange(ClientCommand::rset, settings_.command_timeout);
    if (reply.error && is_protocol_error(reply.error)) {
        co_return abandon(batch, reply.error, Stage::rset);
    }
    if (reply.error || !is_positive_completion(reply.reply)) mark_unusable();
    co_return std::nullopt;
}

RecipientResult ClientConnection::abandon(Batch& batch, std::error_code error, Stage stage) {
    if (is_protocol_error(error)) {
        for (std::size_t i : batch.recipients) batch.results[i].reset();
    }
    return lost(error, stage, RecipientOutcome::deferred);
}

std::string ClientConnection::mail_command(const OutboundMessage& message) const {
    std::string command = "MAIL FROM:<" + message.sender + ">";
    // RFC 1870 §3: the size with CRLFs, without dot-stuffing; an estimate is allowed.
    if (supports("SIZE")) command += " SIZE=" + std::to_string(declared_size(message));
    // RFC 6152: 8-bit content only goes to a server that offers 8BITMIME (send() checks).
    if (message.eight_bit) command += " BODY=8BITMIME";
    if (message.smtputf8 && supports("SMTPUTF8")) command += " SMTPUTF8";
    if (!message.dsn_mail_params.empty() && supports("DSN")) {
        command += " " + message.dsn_mail_params;  // RET=, ENVID= (RFC 3461 §5.2.1)
    }
    return command + "\r\n";
}

}  // namespace sluice::daemon::delivery
