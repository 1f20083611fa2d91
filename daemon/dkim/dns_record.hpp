// The DNS TXT record that publishes a DKIM public key (RFC 6376 §3.6.1, RFC 8463 §4), as one
// zone-file line: `selector._domainkey.domain. IN TXT "v=DKIM1; k=rsa; p=…"`, the text split
// into strings of at most 255 bytes (RFC 1035 §3.3.14), which verifiers concatenate. Pure.
#pragma once

#include <string>
#include <string_view>

namespace sluice::daemon::dkim {

inline constexpr std::size_t kMaxTxtString = 255;

// The record's text before splitting: "v=DKIM1; k=<key_type>; p=<public_key_base64>".
[[nodiscard]] std::string dkim_record_text(std::string_view key_type,
                                           std::string_view public_key_base64);

// The zone-file line for `text` at selector._domainkey.domain.
[[nodiscard]] std::string dkim_txt_record(std::string_view domain, std::string_view selector,
                                          std::string_view text);

}  // namespace sluice::daemon::dkim
