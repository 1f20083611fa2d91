// Which header fields a DKIM signature covers (RFC 6376 §5.4). Sluice signs a fixed set of
// fields that identify and describe a message and over-signs each of them (RFC 6376 §8.15): a
// name appears in h= once more than the message has it, so that nobody can add another
// instance (an extra From, a second Subject) without breaking the signature. Fields not in the
// set (Received, X-*) are not signed. Pure; the result points into the given fields.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/dkim/message_header.hpp"

namespace sluice::daemon::dkim {

inline constexpr std::array<std::string_view, 15> kSignedHeaders = {"From",
                                                                    "To",
                                                                    "Cc",
                                                                    "Subject",
                                                                    "Date",
                                                                    "Message-ID",
                                                                    "Reply-To",
                                                                    "MIME-Version",
                                                                    "Content-Type",
                                                                    "Content-Transfer-Encoding",
                                                                    "List-Unsubscribe",
                                                                    "List-Unsubscribe-Post",
                                                                    "In-Reply-To",
                                                                    "References",
                                                                    "Sender"};

struct HeaderSelection {
    std::vector<std::string_view> names;   // the h= tag, in order
    std::vector<std::string_view> fields;  // the fields the names select, in the order hashed
};

// RFC 6376 §5.4.2: instances of a repeated name are taken from the bottom of the header up;
// the extra (over-signing) name selects nothing and adds nothing to the hash.
[[nodiscard]] HeaderSelection select_headers(const std::vector<HeaderField>& fields);

}  // namespace sluice::daemon::dkim
