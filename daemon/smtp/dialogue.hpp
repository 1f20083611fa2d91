// The server side of one SMTP conversation as a pure state machine: a command goes in, the reply
// and what the I/O shell must do next come out (OpenSMTPD's check/proceed split: each verb is
// checked against state and syntax first, then its effect is applied). It owns the transaction
// (sender, recipients, content under construction) and the error count, and does no I/O: the
// session feeds it lines and data and carries out the returned actions. Replies follow
// daemon/smtp/REPLIES.md. One instance per session, used from that session's executor only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/smtp/command.hpp"
#include "daemon/smtp/line_ending_normalizer.hpp"
#include "daemon/smtp/reply.hpp"
#include "daemon/smtp/sasl_response.hpp"
#include "daemon/spool/spooled_message.hpp"
#include "policy/config/model.hpp"

namespace sluice::daemon::smtp {

// What the session knows about its client and its limits, fixed for the session's life.
struct DialogueSettings {
    std::string hostname;
    std::uint64_t max_message_size = 0;
    std::uint32_t max_recipients = 0;
    std::uint32_t max_errors = 0;
    policy::config::BareLineEndings bare_line_endings = policy::config::BareLineEndings::normalize;
    bool may_relay = false;  // the client is inside relay_networks
    policy::config::ListenerTls tls = policy::config::ListenerTls::none;  // the listener's
    policy::config::ListenerAuth auth = policy::config::ListenerAuth::none;
    std::uint32_t auth_max_failures = 3;              // then 421 and close
    std::chrono::milliseconds auth_failure_delay{0};  // times the failures so far
};

// Whether the spool has room for another message; the session asks the disk before MAIL.
enum class SpoolRoom { enough, low };

// What the shell must do after a command.
struct Step {
    enum class Action {
        reply,              // send `reply`, read the next command
        close,              // send `reply`, then close the connection
        read_data,          // send `reply` (354), then read DATA content, then call finish_data()
        read_bdat_chunk,    // read `chunk_size` octets and pass them to take_bdat_bytes(), then
                            // call finish_bdat_chunk(); no reply is sent before that
        start_tls,          // send `reply` (220), drop every buffered input byte, do the server
                            // handshake, then call tls_started() (or close if it failed)
        auth_challenge,     // send `reply` (334); the next line is the client's SASL response.
                            // Input already buffered was sent before the challenge: the client
                            // does not follow the protocol (554 5.5.0 and close)
        check_credentials,  // verify `credentials`, then call credentials_checked()
    };
    Action action = Action::reply;
    Reply reply;
    std::uint64_t chunk_size = 0;
    std::chrono::milliseconds delay{0};  // wait this long before sending `reply`
    std::optional<Credentials> credentials;
};

// A complete message ready for the spool. The queue ID and arrival are set by the session.
struct AcceptedMessage {
    spool::Envelope envelope;  // queue_id and arrival_unix_us are left for the session
    std::string content;       // without Sluice's trace headers
};

class Dialogue {
  public:
    Dialogue(DialogueSettings settings, std::string client_address, std::string listener);

    [[nodiscard]] Reply greeting() const;

    // One command line (without CRLF). `room` is consulted for MAIL only.
    [[nodiscard]] Step on_command(std::string_view line, SpoolRoom room);
    // An over-long command line was received (and dropped).
    [[nodiscard]] Step on_line_too_long();

    // After read_data: the DATA reader's verdict. Returns the message to spool, or the reply
    // (552, 550) when it is refused; the transaction ends either way.
    struct DataVerdict {
        std::optional<AcceptedMessage> message;
        Reply reply;  // meaningful when message is empty
    };
    [[nodiscard]] DataVerdict finish_data(std::string content, bool too_large, bool saw_bare);

    // BDAT content as it arrives; bytes of a refused chunk are passed too and dropped here.
    void take_bdat_bytes(std::string_view bytes);
    // After the chunk's bytes: a reply for a middle chunk, or for LAST the message to spool.
    [[nodiscard]] DataVerdict finish_bdat_chunk();

    // Once the spool answered for a message from finish_*: the reply to send.
    [[nodiscard]] Reply committed(const std::string& queue_id) const;
    [[nodiscard]] static Reply commit_failed();

    // After any reply that counted as an error: the session then sends too_many_errors() and
    // closes.
    [[nodiscard]] bool error_limit_reached() const;
    [[nodiscard]] Reply too_many_errors() const;

    // The TLS handshake succeeded (after STARTTLS, or first thing on an implicit-TLS listener).
    // RFC 3207 §4.2: everything learnt before it is forgotten; the client must EHLO again.
    void tls_started();
    [[nodiscard]] bool tls_active() const { return tls_active_; }

    // After check_credentials: 235, or 535 with a delay that grows with each failure.
    [[nodiscard]] Step credentials_checked(bool valid);
    // The user who authenticated (empty before AUTH succeeded).
    [[nodiscard]] const std::string& auth_user() const { return auth_user_; }

    // True between an accepted MAIL and the end of its transaction.
    [[nodiscard]] bool in_transaction() const { return sender_.has_value(); }
    [[nodiscard]] const std::string& hostname() const { return settings_.hostname; }

  private:
    Step reply_step(Reply reply);  // counts errors; may turn into a close
    Step check_and_do_helo(const Command& command, bool extended);
    Step check_and_do_mail(const Command& command, SpoolRoom room);
    Step check_and_do_rcpt(const Command& command);
    Step check_and_do_data();
    Step check_and_do_bdat(const Command& command);
    Step check_and_do_starttls(const Command& command);
    Step check_and_do_auth(const Command& command);
    Step continue_auth(std::string_view line);
    Step auth_challenge(const char* challenge);
    Step plain_credentials(std::string_view decoded);
    Step do_rset();
    [[nodiscard]] std::optional<Reply> transaction_missing() const;
    [[nodiscard]] AcceptedMessage build_message(std::string content);
    void reset_transaction();

    DialogueSettings settings_;
    std::string client_address_;
    std::string listener_;
    std::string helo_;
    bool extended_ = false;  // EHLO rather than HELO
    bool tls_active_ = false;

    // SMTP AUTH (RFC 4954): the exchange in progress, its pending user, the result.
    enum class AuthState { idle, plain_response, login_user, login_password };
    AuthState auth_state_ = AuthState::idle;
    std::string auth_pending_user_;
    std::string auth_user_;
    std::uint32_t auth_failures_ = 0;
    std::uint32_t errors_ = 0;

    // The transaction.
    std::optional<MailFrom> sender_;
    std::vector<spool::Recipient> recipients_;
    // BDAT state: content so far, whether the current chunk is refused or the last one.
    bool bdat_used_ = false;
    std::optional<Reply> bdat_refusal_;  // set while a refused chunk's bytes are being skipped
    bool bdat_chunk_last_ = false;
    bool bdat_too_large_ = false;
    std::uint64_t bdat_chunk_size_ = 0;
    std::uint64_t bdat_received_ = 0;
    std::string bdat_content_;
    LineEndingNormalizer bdat_normalizer_;
};

}  // namespace sluice::daemon::smtp
