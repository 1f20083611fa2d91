// The two OpenSSL primitives DKIM needs besides signing: base64 (EVP_EncodeBlock, no line
// breaks) and SHA-256 (EVP_Digest). Stateless; they cannot fail for in-memory input short of
// memory exhaustion, which OpenSSL reports and these turn into std::bad_alloc.
#pragma once

#include <string>
#include <string_view>

namespace sluice::daemon::dkim {

[[nodiscard]] std::string base64_encode(std::string_view bytes);
// The 32-byte digest, as raw bytes.
[[nodiscard]] std::string sha256(std::string_view data);

}  // namespace sluice::daemon::dkim
