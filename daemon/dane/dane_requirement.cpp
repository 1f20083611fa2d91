#include "daemon/dane/dane_requirement.hpp"

#include "daemon/dns/errc.hpp"

namespace sluice::daemon::dane {

namespace {

constexpr std::uint8_t kDaneTa = 2;
constexpr std::uint8_t kDaneEe = 3;

bool data_fits(const dns::TlsaRecord& record) {
    switch (record.matching_type) {
        case 0:
            return !record.data.empty();  // Full(0): the DER itself
        case 1:
            return record.data.size() == 32;  // SHA2-256(1)
        case 2:
            return record.data.size() == 64;  // SHA2-512(2)
        default:
            return false;
    }
}

}  // namespace

bool qualifies_for_tlsa(const dns::Destination& destination) {
    return destination.mx_secure && destination.addresses_secure;
}

std::string tlsa_name(const dns::Destination& destination) {
    return "_" + std::to_string(destination.port) + "._tcp." + destination.mx_host;
}

bool is_usable(const dns::TlsaRecord& record) {
    if (record.usage != kDaneTa && record.usage != kDaneEe) return false;
    if (record.selector > 1) return false;
    return data_fits(record);
}

DaneRequirement judge_tlsa(const dns::Lookup<std::vector<dns::TlsaRecord>>& tlsa,
                           const std::string& mx_host, const std::string& domain) {
    DaneRequirement requirement;
    if (tlsa.error == dns::errc::nxdomain || tlsa.error == dns::errc::no_data) {
        return requirement;  // securely or not, no TLSA records: no DANE (§2.2.3)
    }
    if (tlsa.error) {
        // §2.2.3: a failed TLSA lookup (SERVFAIL, a bogus answer, a timeout) may be an attack
        // that hides the records; the host is not to be used, not even in clear.
        requirement.outcome = DaneOutcome::skip_host;
        requirement.reason = "TLSA lookup for " + mx_host + " failed: " + tlsa.error.message();
        return requirement;
    }
    if (!tlsa.secure) return requirement;  // insecure TLSA records are ignored (§2.2.3)
    for (const auto& record : tlsa.value) {
        if (!is_usable(record)) continue;
        requirement.check.records.push_back(
            {record.usage, record.selector, record.matching_type, record.data});
    }
    if (requirement.check.records.empty()) {
        requirement.outcome = DaneOutcome::encrypt_only;  // §2.2: still mandatory TLS
        return requirement;
    }
    requirement.outcome = DaneOutcome::authenticate;
    requirement.check.names.push_back(mx_host);
    if (domain != mx_host) requirement.check.names.push_back(domain);
    return requirement;
}

}  // namespace sluice::daemon::dane
