#include "daemon/queue/core/recipient_router.hpp"

#include <limits>

#include "policy/routing/static_routes.hpp"

namespace sluice::daemon::queue {

RecipientRouter::RecipientRouter(std::shared_ptr<const policy::config::Config> config,
                                 std::shared_ptr<const policy::engine::CompiledPolicy> policy)
    : config_(std::move(config)), policy_(std::move(policy)) {}

void RecipientRouter::reconfigure(std::shared_ptr<const policy::config::Config> config,
                                  std::shared_ptr<const policy::engine::CompiledPolicy> policy) {
    config_ = std::move(config);
    policy_ = std::move(policy);
    rolled_up_.clear();
    lookups_started_.clear();
    wanted_.clear();
}

const policy::engine::ResolvedIsp* RecipientRouter::known_isp(const std::string& domain,
                                                              std::int64_t now_unix,
                                                              bool& pending) const {
    pending = false;
    if (const auto* isp = policy_->isp_by_domain(domain)) return isp;
    // Statically routed domains do not use their MX hosts, so MX rollup does not apply.
    if (!policy_->uses_mx() || policy::routing::find_route(config_->routes, domain)) {
        return &policy_->default_isp();
    }
    auto it = rolled_up_.find(domain);
    if (it == rolled_up_.end() || it->second.valid_until_unix < now_unix) {
        pending = true;
        return nullptr;
    }
    const auto* isp = policy_->isp_named(it->second.isp);
    return isp ? isp : &policy_->default_isp();
}

const policy::engine::ResolvedIsp* RecipientRouter::isp_of(const std::string& domain,
                                                           std::int64_t now_unix) const {
    bool pending = false;
    return known_isp(domain, now_unix, pending);
}

const policy::engine::ResolvedIsp* RecipientRouter::last_known_isp(
    const std::string& domain) const {
    bool pending = false;
    // Any moment before every validity: a stale answer counts.
    if (const auto* isp = known_isp(domain, std::numeric_limits<std::int64_t>::min(), pending)) {
        return isp;
    }
    return nullptr;
}

void RecipientRouter::want_lookup(const std::string& domain) {
    if (lookups_started_.insert(domain).second) wanted_.push_back(domain);
}

std::optional<Route> RecipientRouter::route(const QueuedMessage& message, const std::string& domain,
                                            std::int64_t now_unix) {
    bool pending = false;
    const auto* isp = known_isp(domain, now_unix, pending);
    if (pending) {
        want_lookup(domain);
        return std::nullopt;
    }
    const policy::config::Pool& pool =
        isp->pool ? *isp->pool
                  : policy_->pool_for(message.header_pool(), recipient_domain(message.sender()),
                                      message.listener());
    const auto& source = rotation_.next(pool);
    return Route{QueueKey{isp->name, source.name}, pool.name, source.address, source.helo};
}

std::vector<std::string> RecipientRouter::take_wanted_lookups() {
    return std::exchange(wanted_, {});
}

void RecipientRouter::mx_known(const std::string& domain, const std::vector<std::string>& mx_hosts,
                               std::int64_t valid_until_unix) {
    lookups_started_.erase(domain);
    const auto* isp = policy_->isp_by_mx(mx_hosts);
    rolled_up_[domain] =
        RolledUp{isp ? isp->name : std::string(policy::engine::kDefaultIsp), valid_until_unix};
}

}  // namespace sluice::daemon::queue
