// validate_config (see validate.hpp). Listener addresses that did not parse were reported by the
// reader already; they are skipped here rather than reported twice.
#include "policy/config/validate.hpp"

#include <map>

#include "policy/config/endpoint.hpp"

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

}  // namespace

std::vector<ConfigError> validate_config(const Config& config, const SettingLocations& where) {
    std::vector<ConfigError> errors;
    check_listeners(config, where, errors);
    if (config.smtp.max_connections_per_ip > config.smtp.max_connections) {
        errors.push_back(where.error("smtp.max_connections_per_ip",
                                     "must not exceed smtp.max_connections (" +
                                         std::to_string(config.smtp.max_connections) + ")"));
    }
    return errors;
}

}  // namespace sluice::policy::config
