#include "daemon/smtp/dialogue.hpp"

#include <fmt/format.h>

#include <utility>

#include "common/assert.hpp"
#include "policy/text/ascii.hpp"

namespace sluice::daemon::smtp {

namespace {
Reply message_too_large() {
    return {552, "5.3.4", "Message size exceeds fixed maximum message size"};
}
Reply bare_line_endings_refused() {
    return {550, "5.6.0", "Message contains bare CR or LF characters"};
}
Step step_of(Step::Action action, Reply reply, std::uint64_t chunk_size = 0) {
    Step step;
    step.action = action;
    step.reply = std::move(reply);
    step.chunk_size = chunk_size;
    return step;
}

Reply not_implemented() {
    return {502, "5.5.1", "Error: command not implemented"};
}

// RFC 3848 / RFC 6531 protocol names for the Received: header: S for TLS, A for AUTH.
std::string protocol_name(bool extended, bool smtputf8, bool tls, bool authenticated) {
    if (!extended) return "SMTP";
    std::string name = smtputf8 ? "UTF8SMTP" : "ESMTP";
    if (tls) name += "S";
    if (authenticated) name += "A";
    return name;
}

// RFC 4954 §4: the LOGIN mechanism's prompts, base64 of "Username:" and "Password:".
constexpr const char* kLoginUserPrompt = "VXNlcm5hbWU6";
constexpr const char* kLoginPasswordPrompt = "UGFzc3dvcmQ6";

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

Reply Dialogue::greeting() const {
    return {220, "", settings_.hostname + " ESMTP Sluice"};
}

Step Dialogue::reply_step(Reply reply) {
    if (counts_as_error(reply)) ++errors_;
    return step_of(Step::Action::reply, std::move(reply));
}

bool Dialogue::error_limit_reached() const {
    return errors_ >= settings_.max_errors || auth_failures_ >= settings_.auth_max_failures;
}

Reply Dialogue::too_many_errors() const {
    if (auth_failures_ >= settings_.auth_max_failures) {
        return {421, "4.7.0", settings_.hostname + " Error: too many authentication failures"};
    }
    return {421, "4.7.0", settings_.hostname + " Error: too many errors"};
}

Step Dialogue::on_line_too_long() {
    if (auth_state_ != AuthState::idle) {
        auth_state_ = AuthState::idle;  // RFC 4954 §4: the exchange is over
        return reply_step({500, "5.5.6", "Authentication exchange line is too long"});
    }
    return reply_step({500, "5.5.2", "Error: line too long"});
}

Step Dialogue::on_command(std::string_view line, SpoolRoom room) {
    // During an AUTH exchange a line is the client's response, never a command.
    if (auth_state_ != AuthState::idle) return continue_auth(line);
    Command command = parse_command(line);
    switch (command.verb) {
        case Verb::helo:
            return check_and_do_helo(command, false);
        case Verb::ehlo:
            return check_and_do_helo(command, true);
        case Verb::mail:
            return check_and_do_mail(command, room);
        case Verb::rcpt:
            return check_and_do_rcpt(command);
        case Verb::data:
            return check_and_do_data();
        case Verb::bdat:
            return check_and_do_bdat(command);
        case Verb::rset:
            return do_rset();
        case Verb::noop:
            return reply_step({250, "2.0.0", "Ok"});
        case Verb::quit:
            return step_of(Step::Action::close, Reply{221, "2.0.0", "Bye"});
        case Verb::vrfy:
            return reply_step(
                {252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery"});
        case Verb::help:
            return reply_step(
                {214, "2.0.0", "Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP"});
        case Verb::starttls:
            return check_and_do_starttls(command);
        case Verb::auth:
            return check_and_do_auth(command);
        case Verb::expn:
            return reply_step(not_implemented());
        case Verb::unknown:
            break;
    }
    return reply_step({500, "5.5.2", "Error: command not recognized"});
}

Step Dialogue::check_and_do_helo(const Command& command, bool extended) {
    if (command.argument.empty()) {
        return reply_step(
            {501, "5.5.4", extended ? "Syntax: EHLO hostname" : "Syntax: HELO hostname"});
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
    reply.lines.push_back("DSN");
    reply.lines.push_back("CHUNKING");
    if (settings_.tls == policy::config::ListenerTls::starttls && !tls_active_) {
        reply.lines.push_back("STARTTLS");
    }
    // RFC 4954 §4 allows AUTH in clear text; we never offer it there (passwords).
    if (settings_.auth != policy::config::ListenerAuth::none && tls_active_) {
        reply.lines.push_back("AUTH PLAIN LOGIN");
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
    return step_of(Step::Action::start_tls, Reply{220, "2.0.0", "Ready to start TLS"});
}

void Dialogue::tls_started() {
    tls_active_ = true;
    reset_transaction();
    helo_.clear();
    extended_ = false;
    auth_state_ = AuthState::idle;
    auth_user_.clear();
}

// RFC 4954 §4: AUTH after EHLO, over TLS here, once, outside a transaction.
Step Dialogue::check_and_do_auth(const Command& command) {
    if (settings_.auth == policy::config::ListenerAuth::none) {
        return reply_step({503, "5.5.1", "Error: authentication not enabled"});
    }
    if (!tls_active_) {
        return reply_step(
            {538, "5.7.11", "Encryption required for requested authentication mechanism"});
    }
    if (helo_.empty() || !extended_) return reply_step({503, "5.5.1", "Error: send EHLO first"});
    if (!auth_user_.empty()) return reply_step({503, "5.5.1", "Error: already authenticated"});
    if (sender_) return reply_step({503, "5.5.1", "Error: MAIL transaction in progress"});
    const std::string_view argument = command.argument;
    const std::size_t space = argument.find(' ');
    const std::string mechanism = policy::text::to_upper(argument.substr(0, space));
    const std::string_view initial =
        space == std::string_view::npos ? std::string_view() : argument.substr(space + 1);
    if (mechanism == "PLAIN") {
        auth_state_ = AuthState::plain_response;
    } else if (mechanism == "LOGIN") {
        auth_state_ = AuthState::login_user;
    } else {
        return reply_step({504, "5.5.4", "Unrecognized authentication type"});
    }
    // RFC 4954 §4: an initial response saves a round trip; it is handled as the first response.
    if (!initial.empty()) return continue_auth(initial);
    return auth_challenge(mechanism == "PLAIN" ? "" : kLoginUserPrompt);
}

Step Dialogue::auth_challenge(const char* challenge) {
    return step_of(Step::Action::auth_challenge, Reply{334, "", challenge});
}

Step Dialogue::continue_auth(std::string_view line) {
    const AuthState state = std::exchange(auth_state_, AuthState::idle);
    if (line == "*") return reply_step({501, "5.7.0", "Authentication aborted"});
    std::optional<std::string> decoded = decode_base64(line);
    if (!decoded) return reply_step({501, "5.5.2", "Cannot decode response"});
    switch (state) {
        case AuthState::plain_response:
            return plain_credentials(*decoded);
        case AuthState::login_user:
            if (decoded->empty()) return reply_step({501, "5.5.2", "Cannot decode response"});
            auth_pending_user_ = std::move(*decoded);
            auth_state_ = AuthState::login_password;
            return auth_challenge(kLoginPasswordPrompt);
        case AuthState::login_password: {
            Step step = step_of(Step::Action::check_credentials, Reply{});
            step.credentials = Credentials{auth_pending_user_, std::move(*decoded)};
            return step;
        }
        case AuthState::idle:
            break;
    }
    SLUICE_ASSERT(false, "continue_auth without an exchange");
    return reply_step(not_implemented());
}

Step Dialogue::plain_credentials(std::string_view decoded) {
    std::optional<Credentials> credentials = parse_plain(decoded);
    if (!credentials) return reply_step({501, "5.5.2", "Cannot decode response"});
    auth_pending_user_ = credentials->user;
    Step step = step_of(Step::Action::check_credentials, Reply{});
    step.credentials = std::move(credentials);
    return step;
}

Step Dialogue::credentials_checked(bool valid) {
    if (valid) {
        auth_user_ = std::exchange(auth_pending_user_, {});
        return reply_step({235, "2.7.0", "Authentication successful"});
    }
    auth_pending_user_.clear();
    ++auth_failures_;
    Step step = reply_step({535, "5.7.8", "Authentication credentials invalid"});
    // Guessing gets slower with each failure; the session closes at auth_max_failures.
    step.delay = settings_.auth_failure_delay * auth_failures_;
    return step;
}

Step Dialogue::check_and_do_mail(const Command& command, SpoolRoom room) {
    if (helo_.empty()) return reply_step({503, "5.5.1", "Error: send HELO/EHLO first"});
    if (settings_.auth == policy::config::ListenerAuth::required && auth_user_.empty()) {
        return reply_step({530, "5.7.0", "Authentication required"});
    }
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
    if (!extended_ && mail.dsn) return reply_step({555, "5.5.4", "Unsupported option: DSN"});
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
    if (!extended_ && rcpt.dsn) return reply_step({555, "5.5.4", "Unsupported option: DSN"});
    if (!sender_->smtputf8 && !is_ascii(rcpt.address)) {
        return reply_step({553, "5.6.7", "Non-ASCII address requires SMTPUTF8"});
    }
    // An authenticated user may relay from anywhere (the point of a submission listener).
    if (!settings_.may_relay && auth_user_.empty()) {
        return reply_step({550, "5.7.1", "Relay access denied"});
    }
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
    return step_of(Step::Action::read_data, Reply{354, "", "End data with <CR><LF>.<CR><LF>"});
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
    return step_of(Step::Action::read_bdat_chunk, Reply{}, bdat.chunk_size);
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
        return {std::nullopt,
                Reply{250, "2.0.0", fmt::format("{} octets received", bdat_chunk_size_)}};
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
    envelope.protocol =
        protocol_name(extended_, sender_->smtputf8, tls_active_, !auth_user_.empty());
    envelope.auth_user = auth_user_;
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

Reply Dialogue::commit_failed() {
    return {451, "4.3.0", "Error: queue file write error"};
}

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
