// xtext (RFC 3461 §4), the encoding of the DSN parameters ORCPT= and ENVID=: printable ASCII
// except "+" and "=" stands for itself, any other octet is "+" and two upper-case hex digits.
// Pure string work, shared by the command parser (which refuses malformed values) and the DSN
// builder (which reports decoded ones).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::daemon::smtp {

// The decoded text, or nullopt when `xtext` is malformed (a raw octet outside "!".."~", a raw
// "=", "+" not followed by two upper-case hex digits) or decodes to a control character (CR,
// LF, NUL, DEL ...), which no address or envelope id may hold.
[[nodiscard]] std::optional<std::string> decode_xtext(std::string_view xtext);

}  // namespace sluice::daemon::smtp
