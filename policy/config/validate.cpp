// validate_config (see validate.hpp). Listener addresses that did not parse were reported by the
// reader already; they are skipped here rather than reported twice.
#include "policy/config/validate.hpp"

#include <algorithm>
#include <map>

#include "policy/config/endpoint.hpp"
#include "policy/config/validate_policy.hpp"
#include "policy/net/cidr.hpp"

namespace sluice::policy::config {
namespace {

std::string listener_path(std::size_t index) {
    return element_path("smtp.listen", static_cast<int>(index));
}

// Listeners with a fixed port must each own their address:port (port 0 picks a free one).
void check_listeners(const Config& config, const SettingLocations& where,
                     std::vector<ConfigError>& errors) {
    std::map<std::string, std::string> owners;  // "address:port" -> path of its first listener
    for (std::size_t i = 0; i < config.smtp.listen.size(); ++i) {
        const Listener& listener = config.smtp.listen[i];
        auto address = net::IpAddress::parse(listener.address);
        if (!address || listener.port == 0) {
            continue;
        }
        const std::string endpoint = Endpoint{*address, listener.port}.to_string();
        auto [owner, inserted] = owners.emplace(endpoint, listener_path(i));
        if (!inserted) {
            errors.push_back(where.error(listener_path(i), "duplicate listener " + endpoint +
                                                               " (also " + owner->second + ")"));
        }
    }
    auto status = Endpoint::parse(config.status.listen);
    if (status && status->port != 0) {
        if (auto owner = owners.find(status->to_string()); owner != owners.end()) {
            errors.push_back(
                where.error("status.listen",
                            "address " + owner->first + " is already used by " + owner->second));
        }
    }
}

// A domain pattern may be routed only once; the first route naming it would win silently.
void check_route_domains(const Config& config, const SettingLocations& where,
                         std::vector<ConfigError>& errors) {
    std::map<std::string, std::string> owners;  // domain pattern -> path of its first route
    for (std::size_t r = 0; r < config.routes.size(); ++r) {
        const std::string route = element_path("routes", static_cast<int>(r));
        const std::vector<std::string>& domains = config.routes[r].domains;
        for (std::size_t d = 0; d < domains.size(); ++d) {
            auto [owner, inserted] = owners.emplace(domains[d], route);
            if (!inserted) {
                errors.push_back(
                    where.error(element_path(join_path(route, "domains"), static_cast<int>(d)),
                                "\"" + domains[d] + "\" is routed already by " + owner->second));
            }
        }
    }
}

// One DNS record per domain and selector: a second key there could never verify.
void check_keys(const Config& config, const SettingLocations& where,
                std::vector<ConfigError>& errors) {
    std::map<std::string, std::string> owners;  // "selector._domainkey.domain" -> first key
    for (std::size_t k = 0; k < config.keys.size(); ++k) {
        const DkimKey& key = config.keys[k];
        if (key.domain.empty() || key.selector.empty()) continue;  // reported while reading
        const std::string path = element_path("keys", static_cast<int>(k));
        const std::string record = key.selector + "._domainkey." + key.domain;
        auto [owner, inserted] = owners.emplace(record, path);
        if (!inserted) {
            errors.push_back(where.error(
                join_path(path, "selector"),
                "domain and selector (" + record + ") are used already by " + owner->second));
        }
        for (std::size_t p = 0; p < key.pools.size(); ++p) {
            const auto& pools = config.policy.pools;
            const bool known = key.pools[p] == "default" ||
                               std::any_of(pools.begin(), pools.end(), [&](const Pool& pool) {
                                   return pool.name == key.pools[p];
                               });
            if (!known) {
                errors.push_back(
                    where.error(element_path(join_path(path, "pools"), static_cast<int>(p)),
                                "no pool is named \"" + key.pools[p] + "\""));
            }
        }
    }
}

// TLS listeners need the certificate; AUTH needs TLS (it is offered only after it) and users.
void check_listener_security(const Config& config, const SettingLocations& where,
                             std::vector<ConfigError>& errors) {
    const SmtpSettings& smtp = config.smtp;
    bool wants_tls = false;
    bool wants_auth = false;
    for (std::size_t i = 0; i < smtp.listen.size(); ++i) {
        const Listener& listener = smtp.listen[i];
        wants_tls = wants_tls || listener.tls != ListenerTls::none;
        wants_auth = wants_auth || listener.auth != ListenerAuth::none;
        if (listener.auth != ListenerAuth::none && listener.tls == ListenerTls::none) {
            errors.push_back(
                where.error(join_path(listener_path(i), "auth"),
                            "AUTH is offered only over TLS; set tls on this listener"));
        }
    }
    if (wants_tls && (smtp.tls_certificate.empty() || smtp.tls_key.empty())) {
        errors.push_back(
            where.error(smtp.tls_certificate.empty() ? "smtp.tls_certificate" : "smtp.tls_key",
                        "required when a listener has tls set"));
    }
    if (wants_auth && smtp.auth_users_file.empty()) {
        errors.push_back(
            where.error("smtp.auth_users_file", "required when a listener has auth set"));
    }
}

// DANE trusts the AD bit in the resolver's answers, which only means something when the path to
// the resolver cannot be forged: a resolver on this host (RFC 6698 §4.1, RFC 7672 §2.1).
// resolv.conf's servers are not assumed to be that.
void check_dane_resolver(const Config& config, const SettingLocations& where,
                         std::vector<ConfigError>& errors) {
    if (!config.delivery.dane) return;
    if (config.dns.servers.empty()) {
        errors.push_back(where.error("delivery.dane",
                                     "needs dns.servers set to a DNSSEC-validating resolver on "
                                     "loopback (the servers of resolv.conf are not trusted)"));
        return;
    }
    const auto loopback4 = net::Cidr::parse("127.0.0.0/8");
    const auto loopback6 = net::Cidr::parse("::1/128");
    for (const auto& server : config.dns.servers) {
        const auto endpoint = Endpoint::parse(server);
        const bool local = endpoint && (loopback4->contains(endpoint->address) ||
                                        loopback6->contains(endpoint->address));
        if (!local) {
            errors.push_back(
                where.error("delivery.dane",
                            "needs every dns.servers entry on loopback (127.0.0.0/8 or "
                            "::1): the AD bit of " +
                                server + " could be forged on the way"));
        }
    }
}

void check_delivery(const Config& config, const SettingLocations& where,
                    std::vector<ConfigError>& errors) {
    const DeliverySettings& delivery = config.delivery;
    if (delivery.max_connections_per_destination > delivery.max_connections) {
        errors.push_back(where.error("delivery.max_connections_per_destination",
                                     "must not exceed delivery.max_connections (" +
                                         std::to_string(delivery.max_connections) + ")"));
    }
}

}  // namespace

std::vector<ConfigError> validate_config(const Config& config, const SettingLocations& where) {
    std::vector<ConfigError> errors;
    check_listeners(config, where, errors);
    if (config.smtp.max_connections_per_ip > config.smtp.max_connections) {
        errors.push_back(where.error("smtp.max_connections_per_ip",
                                     "must not exceed smtp.max_connections (" +
                                         std::to_string(config.smtp.max_connections) + ")"));
    }
    check_listener_security(config, where, errors);
    check_delivery(config, where, errors);
    check_dane_resolver(config, where, errors);
    check_route_domains(config, where, errors);
    validate_policy(config, where, errors);
    check_keys(config, where, errors);
    return errors;
}

}  // namespace sluice::policy::config
