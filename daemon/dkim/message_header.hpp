// Splits message content into its header fields and its body, without copying: each field is
// its raw text (name, colon, value and continuation lines, without the line break that ends
// it). A line break is CRLF, bare CR or bare LF, as in relaxed_canonicalizer.hpp. The header
// ends at the first empty line (the body follows it) or at the end of the content (no body).
// The walk itself is policy/message/header_walker.hpp. Pure; the views point into the
// content, which must outlive them. Never fails.
#pragma once

#include <string_view>
#include <vector>

#include "policy/message/header_walker.hpp"

namespace sluice::daemon::dkim {

using policy::message::HeaderField;

struct MessageParts {
    std::vector<HeaderField> fields;  // in message order
    std::string_view body;            // after the empty line; empty when there is none
};

[[nodiscard]] MessageParts split_message(std::string_view content);

}  // namespace sluice::daemon::dkim
