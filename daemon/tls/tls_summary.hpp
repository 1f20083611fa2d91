// What a finished TLS handshake negotiated, for logs, the Received: header and the accounting
// log: protocol version and cipher as OpenSSL names them. Plain data; filled by describe_tls().
#pragma once

#include <string>

namespace sluice::daemon::tls {

struct TlsSummary {
    std::string version;  // "TLSv1.3"
    std::string cipher;   // "TLS_AES_256_GCM_SHA384"
    int bits = 0;         // the cipher's secret bits
    std::string dane;     // "DANE-EE" or "DANE-TA" when TLSA records authenticated the peer

    // "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256 bits)", then ", DANE-EE" if so
    [[nodiscard]] std::string to_string() const;
};

}  // namespace sluice::daemon::tls
