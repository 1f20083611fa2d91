#include "daemon/dane/dane_lookup.hpp"

namespace sluice::daemon::dane {

boost::asio::awaitable<DaneRequirement> lookup_dane(dns::Resolver& resolver,
                                                    const dns::Destination& destination,
                                                    std::string domain, DaneMode mode) {
    if (mode == DaneMode::off || !qualifies_for_tlsa(destination)) co_return DaneRequirement{};
    const std::string name = tlsa_name(destination);  // named: no temporaries in co_await
    const auto tlsa = co_await resolver.lookup_tlsa(name);
    co_return judge_tlsa(tlsa, destination.mx_host, domain);
}

}  // namespace sluice::daemon::dane
