// Base64 (RFC 4648 §4) through OpenSSL's EVP_EncodeBlock / EVP_DecodeBlock, the one copy shared
// by SMTP AUTH (decoding client responses) and DKIM (encoding hashes, signatures and keys).
// Pure functions; a malformed input is std::nullopt, never an exception.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::daemon::codec {

// Without line breaks.
[[nodiscard]] std::string encode_base64(std::string_view bytes);

// Canonical base64 only: a multiple of 4 characters, padding where due, no whitespace or other
// characters (EVP_DecodeBlock alone would skip whitespace and trust the padding). "" decodes
// to "".
[[nodiscard]] std::optional<std::string> decode_base64(std::string_view text);

}  // namespace sluice::daemon::codec
