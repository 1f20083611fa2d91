// The SMTP command parser (sans-I/O): one command line in, a typed command or the reply that
// rejects it out. It checks syntax only; whether a verb is allowed now is the session's call
// (OpenSMTPD's check/proceed split). Lines arrive without their CRLF.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "daemon/smtp/reply.hpp"
#include "daemon/spool/spooled_message.hpp"

namespace sluice::daemon::smtp {

enum class Verb {
    helo,
    ehlo,
    mail,
    rcpt,
    data,
    bdat,
    rset,
    noop,
    quit,
    vrfy,
    expn,
    help,
    starttls,
    auth,
    unknown
};

struct Command {
    Verb verb = Verb::unknown;
    std::string argument;  // everything after the verb and its separating space(s)
};

// Splits a line into verb and argument. Verbs are case-insensitive ("mail" == "MAIL") and end at
// the first space; one or more spaces separate the argument, whose trailing spaces and tabs are
// dropped. "MAIL FROM:" and "RCPT TO:" keep "FROM:..." / "TO:..." in `argument`. A line that
// starts with a space, or holds a control character other than TAB (NUL, CR, ESC, DEL ...), is
// Verb::unknown with an empty argument: the session answers 500.
[[nodiscard]] Command parse_command(std::string_view line);

struct MailFrom {
    std::string address;                // without brackets; empty for the null sender <>
    std::optional<std::uint64_t> size;  // SIZE=
    spool::BodyType body_type = spool::BodyType::seven_bit;  // BODY=
    bool smtputf8 = false;
    bool dsn = false;    // RET= or ENVID= (RFC 3461) was given
    std::string params;  // the parameters as received, for the spool
};

struct RcptTo {
    std::string address;  // without brackets and source route
    bool dsn = false;     // NOTIFY= or ORCPT= (RFC 3461) was given
    std::string params;   // as received (NOTIFY=, ORCPT=), for the spool
};

struct Bdat {
    std::uint64_t chunk_size = 0;
    bool last = false;
};

// Parse the argument of MAIL ("FROM:<a@b> SIZE=10"), RCPT ("TO:<a@b>") and BDAT ("100 LAST").
// On failure the variant holds the reply to send, as in REPLIES.md:
//  - MAIL: 501 5.5.4 (no "FROM:<...>", junk after ">", malformed or repeated parameter, SIZE
//    overflow, RET= other than FULL/HDRS, ENVID= not xtext or over 100 characters),
//    501 5.1.7 (bad address), 555 5.5.4 (unknown parameter, BODY=BINARYMIME),
//    553 5.6.7 (non-ASCII address without the SMTPUTF8 parameter).
//  - RCPT: 501 5.5.4, 501 5.1.3, 555 5.5.4 alike; NOTIFY= (NEVER, or a list of SUCCESS,
//    FAILURE, DELAY) and ORCPT= (addr-type ";" xtext, at most 500 characters) are checked and
//    kept in `params`. Malformed xtext (a raw octet it may not hold, bad hex, a decoded control
//    character such as CR LF) is 501 5.5.4. Non-ASCII addresses are accepted: the session checks
//    them with is_ascii against the transaction's SMTPUTF8. "<Postmaster>" (any case) needs no
//    domain (RFC 5321 §4.1.1.3).
//  - BDAT: 501 5.5.4 unless "digits [LAST]".
// One space after the colon is tolerated ("FROM: <a@b>", as Postfix does); brackets are not
// optional. Source routes are dropped. Whether SMTPUTF8/BODY= may be used at all (EHLO, not
// HELO) is the session's check.
[[nodiscard]] std::variant<MailFrom, Reply> parse_mail_from(std::string_view argument);
[[nodiscard]] std::variant<RcptTo, Reply> parse_rcpt_to(std::string_view argument);
[[nodiscard]] std::variant<Bdat, Reply> parse_bdat(std::string_view argument);

// True when every octet is below 0x80.
[[nodiscard]] bool is_ascii(std::string_view text);

}  // namespace sluice::daemon::smtp
