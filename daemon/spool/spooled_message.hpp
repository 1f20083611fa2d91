// What a spool file holds: the envelope of one accepted message, its content, and the
// per-recipient delivery progress appended after acceptance. Plain data, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::daemon::spool {

enum class BodyType : std::uint8_t { seven_bit = 0, eight_bit_mime = 1, binary_mime = 2 };

struct Recipient {
    std::string address;  // as given in RCPT TO, without angle brackets
    std::string params;  // the RCPT TO ESMTP parameters as received (NOTIFY=, ORCPT=), may be empty
};

struct Envelope {
    std::string queue_id;
    std::int64_t arrival_unix_us = 0;  // wall-clock time of acceptance, microseconds since epoch
    std::string client_address;        // numeric IP of the submitting client
    std::string client_name;           // its name if known, else empty
    std::string helo;                  // the EHLO/HELO argument
    std::string protocol;              // "SMTP", "ESMTP", ... (RFC 3848 names)
    std::string listener;              // name of the listener that accepted it
    std::string sender;                // MAIL FROM address without brackets; empty = null sender
    std::string mail_params;           // MAIL FROM ESMTP parameters as received
    BodyType body_type = BodyType::seven_bit;
    bool smtputf8 = false;
    std::vector<Recipient> recipients;
    std::string auth_user;  // who authenticated with SMTP AUTH; empty = nobody
};

// The delivery state of one recipient, persisted as fixed-size records appended to the spool
// file after its compressed frame. The last valid record for a recipient index wins.
enum class RecipientState : std::uint8_t {
    pending = 0,    // not final; next_attempt_unix tells when to try again
    delivered = 1,  // final
    bounced = 2,    // final (permanent failure or expiry); a DSN has been spooled if one was due
    cleared = 3,    // final (removed by an admin)
};

struct RecipientProgress {
    std::uint32_t recipient_index = 0;
    RecipientState state = RecipientState::pending;
    std::uint16_t attempts = 0;
    std::int64_t next_attempt_unix = 0;  // seconds since epoch; 0 = as soon as possible
    // A delay DSN (delivery.delay_warning) has been spooled for this recipient: never again.
    bool delay_warned = false;
    friend bool operator==(const RecipientProgress&, const RecipientProgress&) = default;
};

struct SpooledMessage {
    Envelope envelope;
    std::string content;  // the RFC 5322 message, CRLF line endings, Sluice's headers included
    // Decoded: one entry per recipient (progress[i] is recipient i; pending/0 where no record
    // was appended), the latest record winning. Encoded: each entry becomes a progress record.
    std::vector<RecipientProgress> progress;
};

}  // namespace sluice::daemon::spool
