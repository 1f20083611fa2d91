#include "daemon/tls/contexts.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>

#include "daemon/tls/dane_check.hpp"
#include "daemon/tls/tls_summary.hpp"

namespace sluice::daemon::tls {

namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2 is the floor (RFC 8996 retires 1.0 and 1.1); compression and renegotiation are off.
void harden(ssl::context& context) {
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                        ssl::context::no_compression);
    SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
    SSL_CTX_set_options(context.native_handle(), SSL_OP_NO_RENEGOTIATION);
}

}  // namespace

std::string TlsSummary::to_string() const {
    return version + " with cipher " + cipher + " (" + std::to_string(bits) + " bits)" +
           (dane.empty() ? "" : ", " + dane);
}

std::string last_openssl_error() {
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        if (!text.empty()) text += "; ";
        text += buffer;
    }
    return text;
}

ContextPtr make_server_context(const std::string& certificate_file, const std::string& key_file,
                               std::string& error) {
    ERR_clear_error();
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    harden(*context);
    SSL_CTX* native = context->native_handle();
    // The server's cipher order wins; OpenSSL's defaults are otherwise kept.
    SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(native, certificate_file.c_str()) != 1) {
        error = "cannot load the certificate " + certificate_file + ": " + last_openssl_error();
        return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(native, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        error = "cannot load the private key " + key_file + ": " + last_openssl_error();
        return nullptr;
    }
    if (SSL_CTX_check_private_key(native) != 1) {
        error =
            "the private key " + key_file + " does not match the certificate " + certificate_file;
        ERR_clear_error();
        return nullptr;
    }
    return context;
}

ContextPtr make_client_context(PeerVerification verification, std::string& error) {
    ERR_clear_error();
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    harden(*context);
    if (verification == PeerVerification::system_cas) {
        if (SSL_CTX_set_default_verify_paths(context->native_handle()) != 1) {
            error = "cannot load the system CA certificates: " + last_openssl_error();
            return nullptr;
        }
        context->set_verify_mode(ssl::verify_peer);
    } else if (verification == PeerVerification::dane) {
        // RFC 7671 §5: trust comes from the TLSA records alone, never from a CA store.
        if (SSL_CTX_dane_enable(context->native_handle()) <= 0) {
            error = "cannot enable DANE: " + last_openssl_error();
            return nullptr;
        }
        context->set_verify_mode(ssl::verify_peer);
    } else {
        // Opportunistic TLS (RFC 7435): encryption without authentication beats clear text.
        context->set_verify_mode(ssl::verify_none);
    }
    return context;
}

void expect_host_name(SSL* ssl, const std::string& host_name, PeerVerification verification) {
    if (host_name.empty()) return;
    boost::system::error_code not_an_address;
    boost::asio::ip::make_address(host_name, not_an_address);
    if (!not_an_address) {
        // RFC 6066 §3: no SNI for an address; a verified peer's certificate must name it.
        if (verification == PeerVerification::system_cas) {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host_name.c_str());
        }
        return;
    }
    SSL_set_tlsext_host_name(ssl, host_name.c_str());
    if (verification == PeerVerification::system_cas) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        X509_VERIFY_PARAM_set1_host(param, host_name.c_str(), host_name.size());
    }
}

TlsSummary describe_tls(const SSL* ssl) {
    TlsSummary summary;
    summary.version = SSL_get_version(ssl);
    summary.dane = dane_authority(const_cast<SSL*>(ssl));  // OpenSSL's getter is not const
    if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) {
        summary.cipher = SSL_CIPHER_get_name(cipher);
        summary.bits = SSL_CIPHER_get_bits(cipher, nullptr);
    }
    return summary;
}

}  // namespace sluice::daemon::tls
