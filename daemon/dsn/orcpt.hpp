// The DSN parameters as a DSN reports them (RFC 3461): ORCPT found among the RCPT parameters
// the spool kept and decoded from xtext into "addr-type; address" for Original-Recipient
// (RFC 3464 §2.3.1); ENVID decoded for Original-Envelope-Id. Pure string work; a malformed
// value yields "" (the field is then left out).
#pragma once

#include <string>
#include <string_view>

namespace sluice::daemon::dsn {

// The raw value of ORCPT= in `rcpt_params` ("NOTIFY=FAILURE ORCPT=rfc822;a+2Bb@x"), or "".
[[nodiscard]] std::string find_orcpt(std::string_view rcpt_params);

// "rfc822;a+2Bb@x" -> "rfc822; a+b@x"; "" if the value is not addr-type ";" xtext, or decodes
// to control or non-ASCII characters (which a delivery-status field cannot carry).
[[nodiscard]] std::string decode_orcpt(std::string_view value);

// xtext (RFC 3461 §4) -> text; "" if malformed or if it decodes to anything but printable
// ASCII and spaces.
[[nodiscard]] std::string decode_xtext(std::string_view xtext);

}  // namespace sluice::daemon::dsn
