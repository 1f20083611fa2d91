#include "daemon/smtp/dialogue.hpp"

#include <fmt/format.h>

#include <utility>

#include "common/assert.hpp"

namespace sluice::daemon::smtp {

namespace {
Reply message_too_large() {
    return {552, "5.3.4", "Message size exceeds fixed maximum message size"};
}
Reply bare_line_endings_refused() {
    return {550, "5.6.0", "Message contains bare CR or LF characters"};
}
Reply not_implemented() { return {502, "5.5.1", "Error: command not implemented"}; }

// RFC 3848 / RFC 6531 protocol names for the Received: header: S for TLS.
std::string protocol_name(bool extended, bool smtputf8, bool tls) {
    if (!extended) return "SMTP";
    std::string name = smtputf8 ? "UTF8SMTP" : "ESMTP";
    if (tls) name += "S";
    return name;
}

// Replies that report a resource limit rather than a client mistake do not count as errors.
bool counts_as_error(const Reply& reply) {
    if (reply.code < 400) return false;
    if (reply.code == 452) return false;  // 4.5.3 too many recipients, 4.3.1 disk space
    return true;
}
}  // namespace

Dialogue::Dialogue(DialogueSettings settings, std::string client_address, std::string listener)
    : settings_(std::move(settings)),
      client_address_(std::move(client_address)),
      listener_(std::move(listener)) {}

Reply Dialogue::greeting() const { return {220, "", settings_.hostname + " ESMTP Sluice"}; }

Step Dialogue::reply_step(Reply reply) {
    if (counts_as_error(reply)) ++errors_;
    return {Step::Action::reply, std::move(reply), 0};
}

bool Dialogue::error_limit_reached() const { return errors_ >= settings_.max_errors; }

Reply Dialogue::too_many_errors() const {
    return {421, "4.7.0", settings_.hostname + " Error: too many errors"};
}

Step Dialogue::on_line_too_long() { return reply_step({500, "5.5.2", "Error: line too long"}); }

Step Dialogue::on_command(std::string_view line, SpoolRoom room) {
    Command command = parse_command(line);
    switch (command.verb) {
        case Verb::helo: return check_and_do_helo(command, false);
        case Verb::ehlo: return check_and_do_helo(command, true);
        case Verb::mail: return check_and_do_mail(command, room);
        case Verb::rcpt: return check_and_do_rcpt(command);
        case Verb::data: return check_and_do_data();
        case Verb::bdat: return check_and_do_bdat(command);
        case Verb::rset: return do_rset();
        case Verb::noop: return reply_step({250, "2.0.0", "Ok"});
        case Verb::quit: return {Step::Action::close, Reply{221, "2.0.0", "Bye"}, 0};
        case Verb::vrfy:
            return reply_step(
                {252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery"});
        case Verb::help:
            return reply_step(
                {214, "2.0.0", "Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP"});
        case Verb::starttls: return check_and_do_starttls(command);
        case Verb::expn:
        case Verb::auth: return reply_step(not_implemented());
        case Verb::unknown: break;
    }
    return reply_step({500, "5.5.2", "Error: command not recognized"});
}

Step Dialogue::check_and_do_helo(const Command& command, bool extended) {
    if (command.argument.empty()) {
        return reply_step({501, "5.5.4", extended ? "Syntax: EHLO hostname" : "Syntax: HELO hostname"});
    }
    // RFC 5321 §4.1.4: EHLO/HELO also resets any transaction in progress.
    reset_transaction();
    helo_ = command.argument;
    extended_ = extended;
    if (!extended) return reply_step({250, "", settings_.hostname});
    Reply reply{250, "", settings_.hostname};
    reply.lines.push_back("PIPELINING");
    reply.lines.push_back(fmt::format("SIZE {}", settings_.max_message_size));
    reply.lines.push_back("8BITMIME");
    reply.lines.push_back("SMTPUTF8");
    reply.lines.push_back("ENHANCEDSTATUSCODES");
    reply.lines.push_back("CHUNKING");
    if (settings_.tls == policy::config::ListenerTls::starttls && !tls_active_) {
        reply.lines.push_back("STARTTLS");
    }
    return reply_step(std::move(reply));
}

// RFC 3207 §4: only where the listener offers it, once, without an argument.
Step Dialogue::check_and_do_starttls(const Command& command) {
    if (tls_active_) return reply_step({554, "5.5.1", "Error: TLS already active"});
    if (settings_.tls != policy::config::ListenerTls::starttls) {
        return reply_step(not_implemented());
    }
    if (!command.argument.empty()) return reply_step({501, "5.5.4", "Syntax: STARTTLS"});
    return {Step::Action::start_tls, Reply{220, "2.0.0", "Ready to start TLS"}, 0};
}

void Dialogue::tls_started() {
    tls_active_ = true;
    reset_transaction();
    helo_.clear();
    extended_ = false;
}

Step Dialogue::check_and_do_mail(const Command& command, SpoolRoom room) {
    if (helo_.empty()) return reply_step({503, "5.5.1", "Error: send HELO/EHLO first"});
    if (sender_) return reply_step({503, "5.5.1", "Error: nested MAIL command"});
    auto parsed = parse_mail_from(command.argument);
    if (auto* refusal = std::get_if<Reply>(&parsed)) return reply_step(std::move(*refusal));
    auto& mail = std::get<MailFrom>(parsed);
    // ESMTP parameters need EHLO (RFC 5321 §4.1.1.11 / RFC 6531 §3.4).
    if (!extended_ && mail.smtputf8) {
        return reply_step({555, "5.5.4", "Unsupported option: SMTPUTF8"});
    }
    if (!extended_ && mail.body_type != spool::BodyType::seven_bit) {
        return reply_step({555, "5.5.4", "Unsupported option: BODY"});
    }
    if (!extended_ && mail.size) return reply_step({555, "5.5.4", "Unsupported option: SIZE"});
    if (mail.size && *mail.size > settings_.max_message_size) {
        return reply_step(message_too_large());
    }
    if (room == SpoolRoom::low) return reply_step({452, "4.3.1", "Insufficient system storage"});
    sender_ = std::move(mail);
    return reply_step({250, "2.1.0", "Ok"});
}

Step Dialogue::check_and_do_rcpt(const Command& command) {
    if (!sender_) return reply_step({503, "5.5.1", "Error: need MAIL command"});
    auto parsed = parse_rcpt_to(command.argument);
    if (auto* refusal = std::get_if<Reply>(&parsed)) return reply_step(std::move(*refusal));
    auto& rcpt = std::get<RcptTo>(parsed);
    if (!sender_->smtputf8 && !is_ascii(rcpt.address)) {
        return reply_step({553, "5.6.7", "Non-ASCII address requires SMTPUTF8"});
    }
    if (!settings_.may_relay) return reply_step({550, "5.7.1", "Relay access denied"});
    if (recipients_.size() >= settings_.max_recipients) {
        return reply_step({452, "4.5.3", "Too many recipients"});
    }
    recipients_.push_back({std::move(rcpt.address), std::move(rcpt.params)});
    return reply_step({250, "2.1.5", "Ok"});
}

std::optional<Reply> Dialogue::transaction_missing() const {
    if (!sender_) return Reply{503, "5.5.1", "Error: need MAIL command"};
    if (recipients_.empty()) return Reply{554, "5.5.1", "Error: no valid recipients"};
    return std::nullopt;
}

Step Dialogue::check_and_do_data() {
    if (auto refusal = transaction_missing()) return reply_step(std::move(*refusal));
    if (bdat_used_) return reply_step({503, "5.5.1", "Error: DATA not allowed after BDAT"});
    return {Step::Action::read_data, Reply{354, "", "End data with <CR><LF>.<CR><LF>"}, 0};
}

Step Dialogue::check_and_do_bdat(const Command& command) {
    auto parsed = parse_bdat(command.argument);
    // Without a size the chunk cannot be skipped; its bytes will be read as commands.
    if (auto* refusal = std::get_if<Reply>(&parsed)) return reply_step(std::move(*refusal));
    const auto& bdat = std::get<Bdat>(parsed);
    bdat_chunk_size_ = bdat.chunk_size;
    bdat_chunk_last_ = bdat.last;
    bdat_refusal_ = transaction_missing();
    if (!bdat_refusal_ && bdat_too_large_) bdat_refusal_ = message_too_large();
    if (!bdat_refusal_) {
        bdat_used_ = true;
        // Written so it cannot overflow: chunk sizes go up to 2^64-1.
        if (bdat.chunk_size > settings_.max_message_size - bdat_received_) {
            // RFC 3030 §4.2: the chunk is consumed; the transaction is refused with 552.
            bdat_too_large_ = true;
            bdat_refusal_ = message_too_large();
            bdat_content_.clear();
        }
    }
    // The refusal (if any) is sent once the chunk's bytes have been read and dropped.
    return {Step::Action::read_bdat_chunk, Reply{}, bdat.chunk_size};
}

void Dialogue::take_bdat_bytes(std::string_view bytes) {
    if (bdat_refusal_) return;
    bdat_received_ += bytes.size();
    bdat_normalizer_.append(bytes, bdat_content_);
}

Dialogue::DataVerdict Dialogue::finish_bdat_chunk() {
    if (bdat_refusal_) {
        Reply refusal = std::move(*bdat_refusal_);
        bdat_refusal_.reset();
        // A LAST chunk ends the transaction even when refused (RFC 3030 §2).
        if (bdat_chunk_last_ && sender_) reset_transaction();
        if (counts_as_error(refusal)) ++errors_;
        return {std::nullopt, std::move(refusal)};
    }
    if (!bdat_chunk_last_) {
        return {std::nullopt, Reply{250, "2.0.0", fmt::format("{} octets received", bdat_chunk_size_)}};
    }
    bdat_normalizer_.finish(bdat_content_);
    const bool bare = bdat_normalizer_.saw_bare_line_ending();
    return finish_data(std::move(bdat_content_), false, bare);
}

Dialogue::DataVerdict Dialogue::finish_data(std::string content, bool too_large, bool saw_bare) {
    SLUICE_ASSERT(sender_.has_value(), "finish_data outside a transaction");
    DataVerdict verdict;
    if (too_large) {
        verdict.reply = message_too_large();
    } else if (saw_bare && settings_.bare_line_endings == policy::config::BareLineEndings::reject) {
        verdict.reply = bare_line_endings_refused();
    } else {
        verdict.message = build_message(std::move(content));
    }
    if (!verdict.message && counts_as_error(verdict.reply)) ++errors_;
    reset_transaction();
    return verdict;
}

AcceptedMessage Dialogue::build_message(std::string content) {
    AcceptedMessage message;
    auto& envelope = message.envelope;
    envelope.client_address = client_address_;
    envelope.helo = helo_;
    envelope.protocol = protocol_name(extended_, sender_->smtputf8, tls_active_);
    envelope.listener = listener_;
    envelope.sender = std::move(sender_->address);
    envelope.mail_params = std::move(sender_->params);
    envelope.body_type = sender_->body_type;
    envelope.smtputf8 = sender_->smtputf8;
    envelope.recipients = std::move(recipients_);
    message.content = std::move(content);
    return message;
}

Reply Dialogue::committed(const std::string& queue_id) const {
    return {250, "2.0.0", "Ok: queued as " + queue_id};
}

Reply Dialogue::commit_failed() { return {451, "4.3.0", "Error: queue file write error"}; }

Step Dialogue::do_rset() {
    reset_transaction();
    return reply_step({250, "2.0.0", "Ok"});
}

void Dialogue::reset_transaction() {
    sender_.reset();
    recipients_.clear();
    bdat_used_ = false;
    bdat_refusal_.reset();
    bdat_chunk_last_ = false;
    bdat_too_large_ = false;
    bdat_chunk_size_ = 0;
    bdat_received_ = 0;
    bdat_content_.clear();
    bdat_normalizer_ = LineEndingNormalizer{};
}

}  // namespace sluice::daemon::smtp
