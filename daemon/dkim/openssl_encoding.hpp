// The OpenSSL primitive DKIM needs besides signing and base64 (codec/base64.hpp): SHA-256
// (EVP_Digest). Stateless; it cannot fail for in-memory input short of memory exhaustion,
// which OpenSSL reports and this turns into std::bad_alloc.
#pragma once

#include <string>
#include <string_view>

namespace sluice::daemon::dkim {

// The 32-byte digest, as raw bytes.
[[nodiscard]] std::string sha256(std::string_view data);

}  // namespace sluice::daemon::dkim
