// What a client asked of delivery status notifications (RFC 3461), read from the ESMTP
// parameters the spool kept verbatim (the command parser has checked their syntax): whom to
// notify of what (NOTIFY=), how much of the message a failure report returns (RET=), and the
// parameters to pass on to a next hop that offers DSN itself (RFC 3461 §5.2.1). Pure.
#pragma once

#include <string>
#include <string_view>

namespace sluice::daemon::dsn {

// NOTIFY= of one recipient. Without the parameter Sluice reports failures and delays (RFC 3461
// §4.1 leaves DELAY to the MTA; delays are only reported with delivery.delay_warning set).
struct NotifyRequest {
    bool success = false;
    bool failure = true;
    bool delay = true;
};
[[nodiscard]] NotifyRequest notify_request(std::string_view rcpt_params);

// RET= of the message: the whole message returned in a failure report, or its header only (the
// default, as when RET= is absent).
enum class Return { headers, full };
[[nodiscard]] Return return_request(std::string_view mail_params);

// The raw value of parameter `keyword` (case-insensitive) in a space-separated parameter list
// ("NOTIFY=FAILURE ORCPT=rfc822;a+2Bb@x"), or "" when it is absent or has no value.
[[nodiscard]] std::string find_param(std::string_view params, std::string_view keyword);

// The DSN parameters among MAIL's (RET=, ENVID=) or RCPT's (NOTIFY=, ORCPT=), as received and
// space-separated, for a next hop that offers DSN: "" when there are none.
[[nodiscard]] std::string dsn_mail_params(std::string_view mail_params);
[[nodiscard]] std::string dsn_rcpt_params(std::string_view rcpt_params);

}  // namespace sluice::daemon::dsn
