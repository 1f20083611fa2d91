#include "daemon/delivery/destination_connector.hpp"

#include <algorithm>
#include <optional>

#include "daemon/dane/dane_lookup.hpp"
#include "daemon/delivery/errc.hpp"
#include "daemon/delivery/send_rules.hpp"
#include "daemon/dns/destination_resolver.hpp"
#include "daemon/mta_sts/mta_sts_service.hpp"
#include "policy/mta_sts/mx_requirement.hpp"
#include "policy/routing/static_routes.hpp"

namespace sluice::daemon::delivery {

namespace asio = boost::asio;
using asio::ip::tcp;
using policy::mta_sts::MxRequirement;

namespace {

// RFC 7672 §2.2: where DANE applies TLS is mandatory. Usable TLSA records authenticate the
// peer instead of the CAs; with none usable the configured mode stays if it asks for more.
ClientSettings with_dane(const ClientSettings& settings, const dane::DaneRequirement& requirement) {
    ClientSettings out = settings;
    if (requirement.authenticates()) {
        out.tls = policy::config::DeliveryTls::required;
        out.dane = requirement.check;
    } else if (requirement.applies()) {
        out.tls = std::max(out.tls, policy::config::DeliveryTls::required);
    }
    return out;
}

// A synthetic reply from a failed connection enforced by MTA-STS names it, so an operator sees
// why the delivery did not fall back to clear text.
void name_mta_sts(smtp::Reply& reply) {
    if (!reply.lines.empty()) reply.lines.front() = "MTA-STS: " + reply.lines.front();
}

// The static route's host, else the domain's MX hosts (RFC 5321 §5.1), with their addresses.
asio::awaitable<dns::RouteResult> destinations_of(const ConnectServices& services,
                                                  const policy::config::Route* route,
                                                  const std::string& domain, std::uint16_t port) {
    // if/else, not "?:": GCC 12 miscompiles a conditional whose arms are co_await expressions.
    if (route) {
        co_return co_await dns::resolve_host(services.resolver, route->host, route->port);
    }
    co_return co_await dns::resolve_destinations(services.resolver, domain, port, services.rng);
}

// Tries each address of `destination` in turn until a connection opens (result.connection)
// or `stopping` is seen (result.stopped); each failure is logged and left in result.failure.
asio::awaitable<void> try_addresses(const ConnectServices& services, const std::string& domain,
                                    const dns::Destination& destination,
                                    const ClientSettings& host_settings, MxRequirement requirement,
                                    Connected& result) {
    for (const auto& address : destination.addresses) {
        if (services.stopping) {
            result.stopped = true;
            co_return;
        }
        const tcp::endpoint remote(address, destination.port);  // named: GCC 12
        auto opened = co_await ClientConnection::open(services.executor, remote,
                                                      destination.mx_host, host_settings);
        result.mx_host = destination.mx_host;
        result.mx_ip = address.to_string();
        if (opened.connection) {
            result.connection = std::move(opened.connection);
            co_return;
        }
        if (requirement == MxRequirement::verified_tls && opened.synthetic) {
            name_mta_sts(opened.reply);
        }
        const bool refused_session =
            opened.error == errc::greeting_refused || opened.error == errc::hello_refused;
        if (refused_session && opened.reply.code / 100 == 5) {
            // The server's own words, so lock rules may act on them (a block list).
            opened.reply =
                deferral_for_refused_session(opened.reply, destination.mx_host, result.mx_ip);
        }
        services.logger.info("delivery to {}: {} [{}]: {}", domain, destination.mx_host,
                             result.mx_ip, opened.reply.summary());
        result.failure.reply = opened.reply;
        result.failure.synthetic = opened.synthetic;
    }
}

// The connection's TLS for the accounting log, with the MTA-STS policy that applied.
void describe_tls(const ConnectServices& services, const std::string& domain,
                  const policy::mta_sts::StsPolicy* sts_policy, MxRequirement sts_applied,
                  Connected& result) {
    result.tls = result.connection->tls_description();
    if (sts_applied == MxRequirement::verified_tls) {
        result.tls += " (MTA-STS enforce)";  // the accounting log shows the policy applied
    } else if (sts_policy && sts_policy->mode == policy::mta_sts::Mode::testing &&
               result.tls.empty()) {
        services.logger.warning(
            "delivery to {}: MTA-STS testing: {} is reached without TLS; enforce would defer",
            domain, result.mx_host);
    }
}

}  // namespace

asio::awaitable<Connected> connect_to_domain(ConnectServices services,
                                             const policy::config::Config& config,
                                             ClientSettings settings, std::string domain) {
    const auto& d = config.delivery;
    Connected result;
    result.failure.synthetic = true;
    const auto* route = policy::routing::find_route(config.routes, domain);
    const dns::RouteResult destinations = co_await destinations_of(services, route, domain, d.port);
    if (destinations.error) {
        result.failure.outcome =
            destinations.permanent ? RecipientOutcome::bounced : RecipientOutcome::deferred;
        result.failure.reply = smtp::Reply{destinations.permanent ? 550 : 451,
                                           destinations.enhanced, destinations.text};
        result.failure.dns_failure = destinations.lookup_failed;
        co_return result;
    }

    // RFC 8461: MX deliveries only; a static route is the admin's own choice of host.
    std::optional<policy::mta_sts::StsPolicy> sts;
    if (!route && d.mta_sts && services.mta_sts) {
        sts = co_await services.mta_sts->policy_for(domain, d.mta_sts_port);
    }
    const policy::mta_sts::StsPolicy* sts_policy = sts ? &*sts : nullptr;
    auto sts_applied = MxRequirement::as_usual;  // for the host connected to

    result.failure.outcome = RecipientOutcome::deferred;
    result.failure.reply = smtp::Reply{451, "4.4.1", "No destination could be reached"};
    bool any_host_allowed = false;
    const auto dane_mode = d.dane ? dane::DaneMode::on : dane::DaneMode::off;
    for (const auto& destination : destinations.destinations) {
        // DANE first: where usable TLSA records authenticate an MX host, MTA-STS is ignored for
        // it (RFC 8461 §2), and a failed TLSA lookup rules the host out (RFC 7672 §2.2.3).
        const auto dane_requirement =
            co_await dane::lookup_dane(services.resolver, destination, domain, dane_mode);
        if (dane_requirement.outcome == dane::DaneOutcome::skip_host) {
            services.logger.info("delivery to {}: {} skipped: {}", domain, destination.mx_host,
                                 dane_requirement.reason);
            any_host_allowed = true;  // DANE's verdict, not MTA-STS's: its reason stands
            result.failure.reply = smtp::Reply{451, "4.7.5", dane_requirement.reason};
            result.failure.synthetic = true;
            result.mx_host = destination.mx_host;
            continue;
        }
        // The one MTA-STS decision per MX host, unless TLSA records authenticate it.
        const auto requirement =
            dane_requirement.authenticates()
                ? MxRequirement::as_usual
                : policy::mta_sts::requirement_for(sts_policy, destination.mx_host);
        if (requirement == MxRequirement::skip_host) {
            services.logger.info("delivery to {}: MTA-STS: {} is not in the policy; skipped",
                                 domain, destination.mx_host);
            continue;
        }
        if (requirement == MxRequirement::report_mismatch) {
            services.logger.warning(
                "delivery to {}: MTA-STS testing: {} is not in the policy; enforce would skip it",
                domain, destination.mx_host);
        }
        any_host_allowed = true;
        auto host_settings = with_dane(settings, dane_requirement);
        if (requirement == MxRequirement::verified_tls) {
            host_settings.tls = policy::config::DeliveryTls::verified;
        }
        co_await try_addresses(services, domain, destination, host_settings, requirement, result);
        if (result.stopped) co_return result;
        if (result.connection) sts_applied = requirement;
        if (result.connection) break;
    }
    if (!result.connection) {
        if (!any_host_allowed && !destinations.destinations.empty()) {
            // RFC 8461 §5.1: with no MX host matching an enforced policy, nothing is sent.
            result.failure.reply =
                smtp::Reply{451, "4.7.5", "MTA-STS: no MX host matches the policy"};
            result.failure.synthetic = true;
        }
        co_return result;
    }

    describe_tls(services, domain, sts_policy, sts_applied, result);
    co_return result;
}

}  // namespace sluice::daemon::delivery
