// Outbound TLS (RFC 3207) modes, shared by delivery.tls (every connection) and an ISP's own
// tls setting (its connections); parse_delivery_tls reads the config spelling.
#pragma once

#include <optional>
#include <string_view>

namespace sluice::policy::config {

enum class DeliveryTls {
    none,           // never STARTTLS
    opportunistic,  // STARTTLS when offered, unverified; in clear when not (or when it failed)
    required,       // STARTTLS or defer; the certificate is not checked
    verified,       // STARTTLS with a certificate valid for the MX name (system CAs) or defer
};

// "none", "opportunistic", "required" or "verified"; nullopt for anything else.
[[nodiscard]] inline std::optional<DeliveryTls> parse_delivery_tls(std::string_view text) {
    if (text == "none") return DeliveryTls::none;
    if (text == "opportunistic") return DeliveryTls::opportunistic;
    if (text == "required") return DeliveryTls::required;
    if (text == "verified") return DeliveryTls::verified;
    return std::nullopt;
}

}  // namespace sluice::policy::config
