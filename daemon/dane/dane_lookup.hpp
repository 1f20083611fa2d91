// The DANE lookup for one destination (RFC 7672 §2.2): when DANE is on and the host qualifies
// (validated MX and address records), its TLSA records are looked up through the Resolver and
// judged (dane_requirement.hpp). A stateless coroutine; failures are values in the result.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "daemon/dane/dane_requirement.hpp"
#include "daemon/dns/destination_resolver.hpp"
#include "daemon/dns/resolver.hpp"

namespace sluice::daemon::dane {

enum class DaneMode { off, on };

// The requirement for delivering mail for `domain` to `destination`.
boost::asio::awaitable<DaneRequirement> lookup_dane(dns::Resolver& resolver,
                                                    const dns::Destination& destination,
                                                    std::string domain, DaneMode mode);

}  // namespace sluice::daemon::dane
