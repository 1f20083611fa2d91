// What DANE (RFC 7672 §2.2) asks of delivery to one MX host, judged from DNS answers: nothing
// (ordinary TLS policy), TLS authenticated by TLSA records, TLS without authentication, or
// "skip this host" when its TLSA lookup failed. Pure: DNS answers in, a requirement out; the
// lookup itself is dane_lookup.hpp. RFC 8461 §2: where usable TLSA records authenticate a host,
// MTA-STS is ignored for it (DaneRequirement::authenticates()).
#pragma once

#include <string>
#include <vector>

#include "daemon/dns/destination_resolver.hpp"
#include "daemon/dns/resolver.hpp"
#include "daemon/tls/dane_check.hpp"

namespace sluice::daemon::dane {

enum class DaneOutcome {
    not_applicable,  // DANE off, anything insecure, or securely no TLSA: ordinary TLS policy
    authenticate,    // usable TLSA records: STARTTLS mandatory, the peer must match one
    encrypt_only,    // secure TLSA records, none usable: STARTTLS mandatory, unauthenticated
    skip_host,       // the TLSA lookup failed: this host must not be used now (§2.2.3)
};

struct DaneRequirement {
    DaneOutcome outcome = DaneOutcome::not_applicable;
    tls::DaneCheck check;  // authenticate: the usable records and the reference names
    std::string reason;    // skip_host: why, for the log and the deferral

    // DANE governs this host: TLS is mandatory.
    [[nodiscard]] bool applies() const { return outcome != DaneOutcome::not_applicable; }
    // Usable TLSA records authenticate this host: they replace certificate checks and MTA-STS
    // (RFC 8461 §2). Secure but unusable records only make TLS mandatory; MTA-STS, and a
    // stricter delivery.tls, still apply then.
    [[nodiscard]] bool authenticates() const { return outcome == DaneOutcome::authenticate; }
};

// Whether `destination` qualifies for a TLSA lookup: its MX RRset and its addresses were both
// validated (RFC 7672 §2.2.1, §2.2.2).
[[nodiscard]] bool qualifies_for_tlsa(const dns::Destination& destination);

// "_25._tcp.mx.example.com" for the destination's port and host (RFC 7672 §2.2.3).
[[nodiscard]] std::string tlsa_name(const dns::Destination& destination);

// RFC 7672 §3.1.3: only DANE-TA(2) and DANE-EE(3) are usable for SMTP; also a known selector
// and matching type with data of the right length (RFC 6698 §2.1).
[[nodiscard]] bool is_usable(const dns::TlsaRecord& record);

// The requirement for a host that qualified, from its TLSA lookup. `domain` is the recipient
// domain: a DANE-TA(2) chain may name it instead of the MX host (RFC 7672 §3.2.2).
[[nodiscard]] DaneRequirement judge_tlsa(const dns::Lookup<std::vector<dns::TlsaRecord>>& tlsa,
                                         const std::string& mx_host, const std::string& domain);

}  // namespace sluice::daemon::dane
