// Where to deliver mail for one recipient domain, by RFC 5321 §5.1: its MX hosts by preference
// (random order among equal preference), each with its addresses; the domain's own A/AAAA when
// it has no MX (implicit MX); a null MX (RFC 7505) or NXDOMAIN is a permanent failure, a DNS
// failure a temporary one. resolve_host() serves static routes (a smarthost or an IP literal).
// Each destination says whether DNSSEC validated how it was found (for DANE). Stateless
// coroutines over a Resolver; errors are values in RouteResult, described for a DSN.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "daemon/dns/resolver.hpp"
#include "daemon/dns/route_errc.hpp"

namespace sluice::daemon::dns {

struct Destination {
    std::string mx_host;  // the MX host name (or the domain, for an implicit MX; or the route)
    std::vector<boost::asio::ip::address> addresses;  // IPv4 first
    std::uint16_t port = 25;
    // DNSSEC (RFC 7672 §2.2): the MX RRset naming this host was validated (for an implicit MX:
    // the denial of MX records), and so were this host's address records. Both are needed
    // before its TLSA records are looked for. Never set for a static route.
    bool mx_secure = false;
    bool addresses_secure = false;
};

struct RouteResult {
    std::error_code error;  // set => destinations is empty
    bool permanent = false;
    std::string enhanced;  // RFC 3463 code for a DSN: "5.1.10", "5.1.2", "4.4.3", ...
    std::string text;      // "Recipient address has null MX", "DNS lookup failed: timeout", ...
    std::vector<Destination> destinations;  // in the order to try
    // A lookup itself failed (timeout, SERVFAIL, no usable answer: "4.4.3"), as opposed to an
    // answer that rules the domain or its hosts out. The status endpoint reports it by this.
    bool lookup_failed = false;
};

// The destinations for mail to `domain`, each at `port`. MX hosts whose addresses cannot be
// found are left out; if none is left the failure is temporary (the domain itself exists). An
// MX host that is an IP literal is looked up as a name, like any other (RFC 5321 §5.1 wants
// names there).
boost::asio::awaitable<RouteResult> resolve_destinations(Resolver& resolver, std::string domain,
                                                         std::uint16_t port, std::mt19937_64& rng);

// One destination for a static route: an IP literal ("192.0.2.1", "::1", "[::1]") needs no DNS;
// a name is looked up (A/AAAA). Every failure is temporary: a route is the admin's to fix.
boost::asio::awaitable<RouteResult> resolve_host(Resolver& resolver, std::string host_or_ip,
                                                 std::uint16_t port);

}  // namespace sluice::daemon::dns
