// DANE authentication of a TLS server (RFC 6698, RFC 7671, RFC 7672 §3) with OpenSSL's own
// DANE support: the TLSA records and reference names of one connection are set on its SSL
// before the handshake, and OpenSSL fails the handshake when the peer matches none of them.
// Which records apply (only DANE-TA(2) and DANE-EE(3) for SMTP) is the caller's judgement;
// this only hands them to OpenSSL. The context must come from
// make_client_context(PeerVerification::dane). No I/O; errors are return values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct ssl_st;

namespace sluice::daemon::tls {

struct TlsaAssociation {
    std::uint8_t usage = 0;          // 2 DANE-TA, 3 DANE-EE (others are refused by the caller)
    std::uint8_t selector = 0;       // 0 certificate, 1 SubjectPublicKeyInfo
    std::uint8_t matching_type = 0;  // 0 exact, 1 SHA-256, 2 SHA-512
    std::string data;                // raw association data
};

struct DaneCheck {
    // The TLSA base domain first (the MX host name, also sent as SNI), then any other name a
    // DANE-TA(2) chain's leaf may carry instead (RFC 7672 §3.2.2: the destination domain).
    std::vector<std::string> names;
    std::vector<TlsaAssociation> records;
};

// Enables DANE on `ssl` with `check`; returns how many records OpenSSL took. When it took none
// the connection is left encrypted but unauthenticated (RFC 7672 §2.2: TLSA records that are
// all unusable still make TLS mandatory), and the caller should say so.
[[nodiscard]] int expect_dane(ssl_st* ssl, const DaneCheck& check);

// After a verified handshake: "DANE-EE" or "DANE-TA" for the kind of record the peer matched,
// "" when DANE did not authenticate it.
[[nodiscard]] std::string dane_authority(ssl_st* ssl);

}  // namespace sluice::daemon::tls
