#include "daemon/dns/destination_resolver.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

namespace sluice::daemon::dns {

namespace asio = boost::asio;
using asio::awaitable;
using AddressLookup = Lookup<std::vector<asio::ip::address>>;

namespace {

RouteResult failure(std::error_code error, bool permanent, std::string enhanced, std::string text) {
    return {error, permanent, std::move(enhanced), std::move(text), {}};
}

RouteResult dns_failure(std::error_code error) {
    auto result = failure(error, false, "4.4.3", "DNS lookup failed: " + error.message());
    result.lookup_failed = true;
    return result;
}

// A failure of the recipient domain's own lookups (MX, or A/AAAA for an implicit MX).
RouteResult domain_failure(std::error_code error) {
    if (error == errc::nxdomain) return failure(error, true, "5.1.2", "Domain not found");
    if (error == errc::bad_name) return failure(error, true, "5.1.2", "Invalid domain name");
    // RFC 5321 §5.1: no MX and no address records means the domain cannot receive mail.
    if (error == errc::no_data) {
        return failure(error, true, "5.4.4", "Domain has no mail exchanger and no address");
    }
    return dns_failure(error);
}

// RFC 5321 §5.1: lowest preference first, random order among equals (load spreading). Null MX
// targets and repeated hosts are dropped.
std::vector<std::string> order_mx_hosts(std::vector<MxRecord> records, std::mt19937_64& rng) {
    std::shuffle(records.begin(), records.end(), rng);
    std::stable_sort(records.begin(), records.end(), [](const MxRecord& a, const MxRecord& b) {
        return a.preference < b.preference;
    });
    std::vector<std::string> hosts;
    for (auto& record : records) {
        if (record.host.empty()) continue;
        if (std::find(hosts.begin(), hosts.end(), record.host) != hosts.end()) continue;
        hosts.push_back(std::move(record.host));
    }
    return hosts;
}

// The addresses of every host, looked up concurrently; results in the order of `hosts`.
awaitable<std::vector<AddressLookup>> lookup_all(Resolver& resolver,
                                                 const std::vector<std::string>& hosts) {
    if (hosts.empty()) co_return std::vector<AddressLookup>{};
    auto executor = co_await asio::this_coro::executor;
    using Operation =
        decltype(asio::co_spawn(executor, resolver.lookup_addresses(""), asio::deferred));
    std::vector<Operation> operations;
    operations.reserve(hosts.size());
    for (const auto& host : hosts) {
        operations.push_back(
            asio::co_spawn(executor, resolver.lookup_addresses(host), asio::deferred));
    }
    auto [order, exceptions, lookups] =
        co_await asio::experimental::make_parallel_group(std::move(operations))
            .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    for (const auto& exception : exceptions) {
        if (exception) std::rethrow_exception(exception);  // a bug, not a DNS failure
    }
    co_return std::move(lookups);
}

awaitable<RouteResult> route_to_mx_hosts(Resolver& resolver, std::vector<MxRecord> records,
                                         bool mx_secure, std::uint16_t port, std::mt19937_64& rng) {
    // RFC 7505 §3: a lone MX "." (preference 0 by the RFC; any is taken) means no mail at all.
    const bool null_mx = std::all_of(records.begin(), records.end(),
                                     [](const MxRecord& record) { return record.host.empty(); });
    if (null_mx) {
        co_return failure(route_errc::null_mx, true, "5.1.10", "Recipient address has null MX");
    }
    const std::vector<std::string> hosts = order_mx_hosts(std::move(records), rng);
    const std::vector<AddressLookup> lookups = co_await lookup_all(resolver, hosts);
    RouteResult result;
    std::error_code temporary;  // the first DNS failure that was not "no such host"
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        const auto& lookup = lookups[i];
        if (!lookup.error) {
            result.destinations.push_back({hosts[i], lookup.value, port, mx_secure, lookup.secure});
        } else if (!temporary && !is_permanent(lookup.error) && lookup.error != errc::no_data) {
            temporary = lookup.error;
        }
    }
    if (!result.destinations.empty()) co_return result;
    if (temporary) co_return dns_failure(temporary);
    // The domain exists, so a broken MX set is treated as a passing fault (Postfix defers too).
    co_return failure(route_errc::no_mx_address, false, "4.4.4", "No MX host has an address");
}

}  // namespace

awaitable<RouteResult> resolve_destinations(Resolver& resolver, std::string domain,
                                            std::uint16_t port, std::mt19937_64& rng) {
    auto mx = co_await resolver.lookup_mx(domain);
    if (!mx.error) {
        co_return co_await route_to_mx_hosts(resolver, std::move(mx.value), mx.secure, port, rng);
    }
    if (mx.error != errc::no_data) co_return domain_failure(mx.error);
    // RFC 5321 §5.1: no MX records, so the domain itself is the implicit MX.
    auto addresses = co_await resolver.lookup_addresses(domain);
    if (addresses.error) co_return domain_failure(addresses.error);
    RouteResult result;
    result.destinations.push_back(
        {std::move(domain), std::move(addresses.value), port, mx.secure, addresses.secure});
    co_return result;
}

awaitable<RouteResult> resolve_host(Resolver& resolver, std::string host_or_ip,
                                    std::uint16_t port) {
    std::string literal = host_or_ip;
    if (literal.size() > 2 && literal.front() == '[' && literal.back() == ']') {
        literal = literal.substr(1, literal.size() - 2);
    }
    boost::system::error_code parse_error;
    const auto address = asio::ip::make_address(literal, parse_error);
    RouteResult result;
    if (!parse_error) {
        result.destinations.push_back({std::move(host_or_ip), {address}, port});
        co_return result;
    }
    auto addresses = co_await resolver.lookup_addresses(host_or_ip);
    if (addresses.error == errc::nxdomain || addresses.error == errc::no_data ||
        addresses.error == errc::bad_name) {
        co_return failure(addresses.error, false, "4.4.4",
                          "Route host not found: " + addresses.error.message());
    }
    if (addresses.error) co_return dns_failure(addresses.error);
    result.destinations.push_back({std::move(host_or_ip), std::move(addresses.value), port});
    co_return result;
}

}  // namespace sluice::daemon::dns
