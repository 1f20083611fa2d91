// Routing failures that are not DNS errors themselves (destination_resolver.hpp): the domain
// refuses mail by a null MX (RFC 7505), or none of its MX hosts has an address. DNS failures
// keep their dns::errc. Which are permanent is decided by the router, not by the code.
#pragma once

#include <system_error>

namespace sluice::daemon::dns {

enum class route_errc {
    null_mx = 1,    // the domain publishes MX "." (permanent)
    no_mx_address,  // no MX host resolved to an address (temporary)
};

[[nodiscard]] const std::error_category& route_category() noexcept;
[[nodiscard]] std::error_code make_error_code(route_errc e) noexcept;

}  // namespace sluice::daemon::dns

template <>
struct std::is_error_code_enum<sluice::daemon::dns::route_errc> : std::true_type {};
