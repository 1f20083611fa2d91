// Errors of DNS lookups (resolver.hpp): one code per class of failure a caller must tell apart.
// Only nxdomain and bad_name are permanent (the name cannot exist); everything else, including
// a server failure or timeout, is temporary and worth retrying later. The c-ares status behind
// a failure is mapped here (errc_from_ares_status) and not kept. c-ares 1.18 moves on to the
// next server after SERVFAIL, REFUSED, NOTIMP or a closed port and then reports them all as one
// status, so they all become server_failure.
#pragma once

#include <system_error>

namespace sluice::daemon::dns {

enum class errc {
    nxdomain = 1,    // the name does not exist (RCODE 3)
    no_data,         // the name exists but has no record of the asked type
    server_failure,  // no usable answer: SERVFAIL/REFUSED/NOTIMP from each server, or unreachable
    timeout,         // no server answered in time
    refused,         // REFUSED, where c-ares reports it apart (1.18 gives server_failure)
    malformed,       // the answer could not be parsed, or the query could not be built
    bad_name,        // not a valid domain name
    shutting_down,   // the resolver was stopped (cancel_all or destruction)
};

[[nodiscard]] const std::error_category& dns_category() noexcept;
[[nodiscard]] std::error_code make_error_code(errc e) noexcept;

// True only for nxdomain and bad_name; every other error (and success) is not permanent.
[[nodiscard]] bool is_permanent(std::error_code ec);

// The errc for a c-ares status (ARES_*); ARES_SUCCESS gives an empty error_code.
[[nodiscard]] std::error_code errc_from_ares_status(int status) noexcept;

}  // namespace sluice::daemon::dns

template <>
struct std::is_error_code_enum<sluice::daemon::dns::errc> : std::true_type {};
