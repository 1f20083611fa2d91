// Syntax of SMTP paths and mailboxes (RFC 5321 §4.1.2, RFC 6531 §3.3 for UTF-8): pure checks
// used by the MAIL/RCPT parsers. It knows nothing of SMTPUTF8 having been negotiated (callers
// check is_ascii) nor of which domains are local or relayable. No state; no errors beyond "no".
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace sluice::daemon::smtp {

// RFC 5321 §4.5.3.1.3 caps a path at 256 octets; we apply it to the address we keep.
inline constexpr std::size_t kMaxAddressLength = 256;

// The mailbox inside "<...>" with any source route ("@a,@b:") removed (RFC 5321 §4.1.2 and
// Appendix C: routes are accepted and ignored), or nullopt when the path is not valid syntax.
// The null path "" is not handled here (it is only valid for MAIL).
[[nodiscard]] std::optional<std::string_view> strip_source_route(std::string_view path);

// local-part "@" (domain / address-literal); UTF-8 allowed in both parts (checked for validity).
[[nodiscard]] bool is_valid_mailbox(std::string_view mailbox);

// A dotted domain name: letters, digits, hyphens (not at a label's ends), UTF-8 U-labels;
// labels at most 63 octets, the name at most 255; no trailing dot.
[[nodiscard]] bool is_valid_domain(std::string_view domain);

// "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321 §4.1.3); general literals are refused.
[[nodiscard]] bool is_valid_address_literal(std::string_view literal);

// Well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
[[nodiscard]] bool is_valid_utf8(std::string_view text);

}  // namespace sluice::daemon::smtp
