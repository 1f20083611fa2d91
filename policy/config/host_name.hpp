// Syntax checks for the names written in sluice.conf: host names (hostname, routes.host,
// delivery.helo) and route domain patterns. Pure string checks; nothing is looked up.
#pragma once

#include <string_view>

namespace sluice::policy::config {

// RFC 1035 §2.3.1 labels (letters, digits, inner hyphens) joined by dots, at most 253
// characters, no trailing dot.
[[nodiscard]] bool is_host_name(std::string_view name);

// An EHLO argument (RFC 5321 §4.1.1.1): a host name or an address literal "[192.0.2.1]",
// "[IPv6:2001:db8::1]".
[[nodiscard]] bool is_helo_name(std::string_view name);

}  // namespace sluice::policy::config
