// OpenSSL contexts for both directions, built from config values (TLS 1.2 minimum everywhere).
// Callers hold them by shared_ptr: a reload builds new ones, and sessions already running keep
// theirs. Errors are returned (a bad file names itself and OpenSSL's reason), never thrown.
// Asio's SSL headers stay out of this header; users of the context include them themselves.
#pragma once

#include <memory>
#include <string>

struct ssl_st;

namespace boost::asio::ssl {
class context;
}

namespace sluice::daemon::tls {

using ContextPtr = std::shared_ptr<boost::asio::ssl::context>;

struct TlsSummary;

// A server context with the PEM certificate chain and private key; null and `error` set when
// either cannot be loaded or they do not match.
[[nodiscard]] ContextPtr make_server_context(const std::string& certificate_file,
                                             const std::string& key_file, std::string& error);

// How a client context treats the server's certificate: not at all, against the system CAs
// and the host name, or against TLSA records (dane_check.hpp).
enum class PeerVerification { none, system_cas, dane };

// A client context. With system_cas the default CA paths are loaded and the handshake fails
// on an untrusted chain; the host name check is set per connection (expect_host_name). With
// dane no CA is trusted: each connection brings its TLSA records (expect_dane).
[[nodiscard]] ContextPtr make_client_context(PeerVerification verification, std::string& error);

// Per connection, before the client handshake: SNI and, for verified contexts, the name the
// certificate must match (RFC 6125 via X509_VERIFY_PARAM_set1_host).
void expect_host_name(ssl_st* ssl, const std::string& host_name, PeerVerification verification);

// The negotiated version and cipher of an established connection.
[[nodiscard]] TlsSummary describe_tls(const ssl_st* ssl);

// OpenSSL's reason for the last failure on this thread ("" when none), clearing the queue.
[[nodiscard]] std::string last_openssl_error();

}  // namespace sluice::daemon::tls
