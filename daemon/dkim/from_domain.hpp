// The domain of the author address in a From header field (RFC 5322 §3.6.2), which chooses
// the DKIM keys to sign with. Handles display names, quoted strings, comments and folding;
// with several mailboxes (a mailbox-list) the first one counts. Pure; nullopt when there is no
// From field or no address with a domain in it. The result is lower case.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/dkim/message_header.hpp"

namespace sluice::daemon::dkim {

[[nodiscard]] std::optional<std::string> from_domain(const std::vector<HeaderField>& fields);

}  // namespace sluice::daemon::dkim
