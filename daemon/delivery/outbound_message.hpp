// What the outbound client is asked to send and what it reports per recipient: plain values
// without Asio, shared with the queue manager. Replies Sluice makes up itself (timeouts, lost
// connections, a missing extension) are marked synthetic so rules that act on what a server said
// (lock rules, bounce patterns) can ignore them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/smtp/reply.hpp"

namespace sluice::daemon::delivery {

struct OutboundMessage {
    std::string sender;                   // "" = the null sender, MAIL FROM:<>
    std::vector<std::string> recipients;  // addresses without angle brackets
    bool eight_bit = false;               // send BODY=8BITMIME when offered
    bool smtputf8 = false;                // needs SMTPUTF8 (RFC 6531): bounced when not offered
    std::string_view content;             // CRLF message as spooled, NOT dot-stuffed
    // The DSN parameters (RFC 3461) as the client gave them, passed on only to a server that
    // offers DSN: RET=/ENVID= for MAIL, NOTIFY=/ORCPT= per recipient (empty: none).
    std::string dsn_mail_params;
    std::vector<std::string> dsn_rcpt_params;
};

enum class RecipientOutcome {
    delivered,           // the server accepted the message for this recipient (2xx)
    deferred,            // temporary failure (4xx, or no reply before the final dot)
    bounced,             // permanent failure (5xx)
    possibly_delivered,  // the final dot was sent but its reply never came (RFC 1047)
};

struct RecipientResult {
    RecipientOutcome outcome = RecipientOutcome::deferred;
    smtp::Reply reply;
    bool synthetic = false;  // Sluice made the reply up: lock rules must ignore it
    // Synthetic, because a DNS lookup for the domain failed (4.4.3): the status endpoint says
    // "dns-failure" by this, never by reading the reply's text.
    bool dns_failure = false;
};

// 2xx delivered, 5xx bounced, anything else deferred (any doubt is temporary).
[[nodiscard]] RecipientOutcome outcome_of(const smtp::Reply& reply);
[[nodiscard]] RecipientResult result_from_reply(const smtp::Reply& reply);
[[nodiscard]] const char* to_string(RecipientOutcome outcome);

}  // namespace sluice::daemon::delivery
