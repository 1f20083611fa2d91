#include "daemon/tls/dane_check.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace sluice::daemon::tls {

int expect_dane(SSL* ssl, const DaneCheck& check) {
    if (check.names.empty() || SSL_dane_enable(ssl, check.names.front().c_str()) <= 0) return 0;
    // RFC 7672 §3.2.2 and §3.1.1: names matter only for DANE-TA(2); a DANE-EE(3) match is the
    // whole check (no name, no expiry).
    SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
    X509_VERIFY_PARAM_set_hostflags(SSL_get0_param(ssl), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    for (std::size_t i = 1; i < check.names.size(); ++i) {
        SSL_add1_host(ssl, check.names[i].c_str());
    }
    int usable = 0;
    for (const auto& record : check.records) {
        const auto* data = reinterpret_cast<const unsigned char*>(record.data.data());
        if (SSL_dane_tlsa_add(ssl, record.usage, record.selector, record.matching_type, data,
                              record.data.size()) > 0) {
            ++usable;
        }
    }
    // No record OpenSSL could use: encrypt without authenticating rather than fail every time.
    if (usable == 0) SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
    return usable;
}

std::string dane_authority(SSL* ssl) {
    if (SSL_get_verify_result(ssl) != X509_V_OK) return "";
    std::uint8_t usage = 0;
    if (SSL_get0_dane_tlsa(ssl, &usage, nullptr, nullptr, nullptr, nullptr) < 0) return "";
    if (usage == 3) return "DANE-EE";
    if (usage == 2) return "DANE-TA";
    return "";
}

}  // namespace sluice::daemon::tls
