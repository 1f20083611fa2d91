// The SASL pieces of SMTP AUTH (RFC 4954) that need no state: a response line's base64 (strict,
// codec/base64.hpp) and the PLAIN message (RFC 4616). LOGIN is two base64 lines, user then
// password. Pure functions; a malformed input is std::nullopt, never an exception.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::daemon::smtp {

struct Credentials {
    std::string user;
    std::string password;
};

// Decodes canonical base64 (padding required, no whitespace); "=" alone is the empty string
// (RFC 4954 §4: an empty initial response). nullopt when the text is not base64.
[[nodiscard]] std::optional<std::string> decode_base64(std::string_view text);

// "authzid NUL authcid NUL password" (already decoded). The authorization identity must be
// empty or the user itself (Sluice has no proxy authorization); user and password must not be
// empty and hold no NUL.
[[nodiscard]] std::optional<Credentials> parse_plain(std::string_view message);

}  // namespace sluice::daemon::smtp
