// Reading and removing header fields of a message held as CRLF text (RFC 5322 §2.2): field
// names compare case-insensitively, folded continuation lines belong to their field, the header
// block ends at the first empty line. Used for control headers (X-Sluice-Pool), which are read
// at acceptance and removed before delivery, and for the Message-ID of the accounting log.
// The walk itself is policy/message/header_walker.hpp.
#pragma once

#include <string>
#include <string_view>

namespace sluice::daemon::smtp {

// The unfolded value of the first `name` field, leading/trailing white space trimmed; "" if none.
[[nodiscard]] std::string header_value(std::string_view content, std::string_view name);

// `content` without any `name` field (with its continuation lines); whether any was there.
[[nodiscard]] bool has_header(std::string_view content, std::string_view name);
[[nodiscard]] std::string remove_header(std::string_view content, std::string_view name);

}  // namespace sluice::daemon::smtp
