// The outbound client's pure rules about a message and a server: whether the message may be
// sent to it at all (SIZE, 8BITMIME, SMTPUTF8, addresses that could break a command line), the
// size it declares, and which RCPT refusals only mean "not in this transaction". No I/O; used
// by ClientConnection before MAIL and while reading RCPT replies.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "daemon/delivery/outbound_message.hpp"
#include "daemon/delivery/server_extensions.hpp"
#include "daemon/smtp/reply.hpp"

namespace sluice::daemon::delivery {

// The result every recipient gets when `message` must not be sent to `mx_host` with these
// `extensions` (a synthetic permanent refusal), or nullopt when it may be:
//  - an invalid sender address                                    553 5.1.7
//  - SMTPUTF8 needed but not offered (RFC 6531 §3.2)              550 5.6.7
//  - larger than the server's SIZE limit (RFC 1870 §6.1)          552 5.3.4
//  - 8-bit content without 8BITMIME (RFC 6152 §3: not converted)  554 5.6.3
[[nodiscard]] std::optional<RecipientResult> refusal_before_sending(
    const OutboundMessage& message, const ServerExtensions& extensions, std::string_view mx_host);

// RFC 1870 §3: the size with CRLFs and without dot-stuffing.
[[nodiscard]] std::uint64_t declared_size(const OutboundMessage& message);

// An address Sluice would put between angle brackets: anything that could end the command line
// early or smuggle a second command is refused (RFC 5321 §2.3.8: never a bare CR or LF).
[[nodiscard]] bool is_sendable_address(std::string_view address);

// RFC 5321 §4.5.3.1.10: a server out of room for recipients answers 452 (4.5.3), some old ones
// 552 5.5.3, and the client is to send the rest in a new transaction. A bare 452 (no enhanced
// code) counts too; its other meaning, "insufficient storage", costs one more transaction.
[[nodiscard]] bool is_too_many_recipients(const smtp::Reply& reply);

// A 5xx greeting, or a 5xx to both EHLO and HELO, is about the client (its address, its name)
// or that server, never about a recipient: the next MX host is tried (Postfix's
// smtp_skip_5xx_greeting) and when no host takes the session the mail is deferred with this
// reply: 421, the server's enhanced code in class 4 (else 4.3.2, "system not accepting network
// messages", RFC 3463), and the server's words after "MX [IP] refused the session:".
[[nodiscard]] smtp::Reply deferral_for_refused_session(const smtp::Reply& refusal,
                                                       std::string_view mx_host,
                                                       std::string_view mx_ip);

}  // namespace sluice::daemon::delivery
