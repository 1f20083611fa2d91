// Errors of the outbound SMTP client: why a connection could not be opened or stopped being
// usable. Replies the server actually sent are never errors (they are smtp::Reply values and
// per-recipient outcomes); these codes cover what happened *instead* of a reply. The system
// error behind a failure (ECONNREFUSED...) is folded into the synthetic reply text.
#pragma once

#include <system_error>

namespace sluice::daemon::delivery {

enum class errc {
    bind_failed = 1,    // the configured source address could not be bound
    connect_failed,     // connect() failed (refused, unreachable)
    connect_timed_out,  // connect() did not complete within connect_timeout
    timed_out,          // no (complete) reply within the stage's timeout, or a write stalled
    connection_lost,    // the server closed the connection or a read/write failed
    malformed_reply,    // a reply line without a 3-digit code, or codes differing across lines
    reply_too_long,     // a reply line, or a whole reply, beyond the parser's limits
    greeting_refused,   // the greeting was not 220 (the reply says what it was)
    hello_refused,      // EHLO and HELO were both refused
    not_usable,         // the connection was already unusable (earlier error, 421 or QUIT)
    tls_unavailable,    // TLS is required but the server did not offer or refused STARTTLS
    tls_failed,         // the TLS handshake failed (or the certificate was not accepted)
    unexpected_reply,   // a reply whose code cannot answer the command it was read for
    unsolicited_input,  // the server sent something nobody asked for (more replies than commands)
};

// The errors that mean the server is out of step with the client (or broken): no reply read in
// the open transaction can be trusted to belong to the command it was read for.
[[nodiscard]] bool is_protocol_error(std::error_code error);

[[nodiscard]] const std::error_category& delivery_category() noexcept;
[[nodiscard]] std::error_code make_error_code(errc e) noexcept;

}  // namespace sluice::daemon::delivery

template <>
struct std::is_error_code_enum<sluice::daemon::delivery::errc> : std::true_type {};
