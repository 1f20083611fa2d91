// What an MTA-STS policy means for one MX host (RFC 8461 §5): the one place where delivery asks
// it, so a caller may skip it (DANE takes precedence for a host with usable TLSA records,
// RFC 8461 §2, and then this is not asked at all; secure but unusable ones do not). Pure.
#pragma once

#include <string_view>

#include "policy/mta_sts/sts_policy.hpp"

namespace sluice::policy::mta_sts {

enum class MxRequirement {
    as_usual,         // no policy, mode none, or testing with a matching host
    verified_tls,     // enforce, host matches: TLS with a certificate valid for the host, or defer
    skip_host,        // enforce, host does not match: never deliver to it
    report_mismatch,  // testing, host does not match: deliver as usual, but say so
};

// `policy` null: the domain has no policy.
[[nodiscard]] MxRequirement requirement_for(const StsPolicy* policy, std::string_view mx_host);

}  // namespace sluice::policy::mta_sts
