// The bearer token that authorizes operations (RFC 6750): read from the file named by
// status.token_file (surrounding whitespace ignored), and checked against an Authorization
// header in constant time (both sides hashed with SHA-256, then CRYPTO_memcmp), so neither the
// token's content nor its length leaks through timing. Pure apart from read_token_file.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace sluice::daemon::status {

enum class TokenCheck { ok, missing, wrong };

// `authorization` is the header's value ("" when absent); `expected` the configured token.
// An empty `expected` never matches.
[[nodiscard]] TokenCheck check_bearer_token(std::string_view authorization,
                                            std::string_view expected);

// Reads the token; an empty file is an error (errc::invalid_argument).
[[nodiscard]] std::error_code read_token_file(const std::string& path, std::string& token);

}  // namespace sluice::daemon::status
