// Delivery status notifications (RFC 3464): a complete RFC 5322 message, CRLF line endings,
// multipart/report (RFC 6522) with a human-readable part, a message/delivery-status part and
// the original message's header block as text/rfc822-headers (or, for a failure report the
// sender asked for with RET=FULL, the whole message as message/rfc822). Pure: no I/O, no clock (the
// time comes in), deterministic output. It does not decide who gets a DSN: the caller never
// asks for one for a null-sender message, and an empty result says so if it does.
// Addresses are reported as "rfc822"; SMTPUTF8 reports (RFC 6533) are not produced.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::daemon::dsn {

// RFC 3464 §2.3.3. "relayed": handed to a server that does not offer DSN (RFC 3461 §5.2.2), so
// no later success report will come; Sluice delivers nothing locally, so never "delivered".
enum class Action { failed, delayed, relayed };

struct DsnRecipient {
    std::string address;  // the recipient as given in RCPT TO (Final-Recipient)
    std::string orcpt;    // the raw ORCPT= value ("rfc822;a+2Bb@x"), or ""
    Action action = Action::failed;
    std::string status;      // enhanced status code "5.1.1"; defaults to 5.0.0 / 4.0.0 if bad
    std::string diagnostic;  // the remote reply ("550 5.1.1 No such user"; lines split by
                             // CRLF or LF), or our own reason when no server answered
    std::string remote_mta;  // host name of the server that answered; "" when none did
    std::int64_t last_attempt_unix = 0;                 // 0: the notification's time
    std::optional<std::int64_t> will_retry_until_unix;  // delayed only
};

struct DsnInput {
    std::string hostname;               // ours: Reporting-MTA, From:, Message-ID
    std::string queue_id;               // of the original message
    std::string sender;                 // the original envelope sender; "" = null sender
    std::string envid;                  // the ENVID= of MAIL FROM (RFC 3461 §4.4), xtext, or ""
    std::int64_t arrival_unix = 0;      // when the original message was accepted
    std::string_view original_content;  // the original message
    // RET=FULL: a failure report returns the whole original message (when it is at most
    // kMaxReturnedMessage octets), else only its header block.
    bool return_full = false;
    std::vector<DsnRecipient> recipients;
    std::int64_t now_unix = 0;
};

inline constexpr std::size_t kMaxReturnedMessage = 1024 * 1024;

// The DSN to send to `input.sender` from the null sender; "" for a null sender or no
// recipients. The Subject says "Undelivered" if any recipient failed, else "Delayed" if any
// was delayed, else that it is a delivery report.
[[nodiscard]] std::string build_dsn(const DsnInput& input);

}  // namespace sluice::daemon::dsn
