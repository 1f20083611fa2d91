#include "daemon/queue/core/recipient_router.hpp"

#include <algorithm>
#include <limits>

#include "policy/net/domain_pattern.hpp"
#include "policy/routing/static_routes.hpp"

namespace sluice::daemon::queue {

namespace {
// How long past its validity an answer is still kept: the expiry sweep asks for the ISP of mail
// that waits (last_known_isp), and a forgotten one is only looked up again.
constexpr std::int64_t kKeepStaleSeconds = 3600;

// Domains whose MX host sets are the same are hosted together: the sorted set names their site.
std::string site_name(const std::string& domain, const std::vector<std::string>& mx_hosts) {
    std::vector<std::string> hosts;
    for (const auto& host : mx_hosts) {
        std::string name = policy::net::canonical_domain(host);
        if (!name.empty()) hosts.push_back(std::move(name));
    }
    if (hosts.empty()) return domain;
    std::sort(hosts.begin(), hosts.end());
    hosts.erase(std::unique(hosts.begin(), hosts.end()), hosts.end());
    std::string site;
    for (const auto& host : hosts) {
        if (!site.empty()) site += ',';
        site += host;
    }
    return site;
}
}  // namespace

RecipientRouter::RecipientRouter(std::shared_ptr<const policy::config::Config> config,
                                 std::shared_ptr<const policy::engine::CompiledPolicy> policy,
                                 const WarmupBudgets& warmups)
    : config_(std::move(config)), policy_(std::move(policy)), warmups_(warmups) {}

void RecipientRouter::reconfigure(std::shared_ptr<const policy::config::Config> config,
                                  std::shared_ptr<const policy::engine::CompiledPolicy> policy) {
    config_ = std::move(config);
    policy_ = std::move(policy);
    rolled_up_.clear();
    lookups_started_.clear();
    wanted_.clear();
    prune_at_size_ = kFirstPrune;
}

RecipientRouter::Known RecipientRouter::known(const std::string& domain,
                                              std::int64_t now_unix) const {
    if (const auto* isp = policy_->isp_by_domain(domain)) return {isp, {}};
    // Statically routed domains do not use their MX hosts: each is its own site.
    if (policy::routing::find_route(config_->routes, domain)) {
        return {&policy_->default_isp(), domain};
    }
    auto it = rolled_up_.find(domain);
    if (it == rolled_up_.end() || it->second.valid_until_unix < now_unix) return {};
    const auto& answer = it->second;
    if (answer.isp.empty()) return {&policy_->default_isp(), answer.site};
    // An answer naming an ISP the policy no longer has is no answer (reconfigure clears them
    // all today): look the domain up again rather than queue it without a site.
    const auto* isp = policy_->isp_named(answer.isp);
    if (isp) return {isp, {}};
    return {};
}

const policy::engine::ResolvedIsp* RecipientRouter::isp_of(const std::string& domain,
                                                           std::int64_t now_unix) const {
    return known(domain, now_unix).isp;
}

const policy::engine::ResolvedIsp* RecipientRouter::last_known_isp(
    const std::string& domain) const {
    // Any moment before every validity: a stale answer counts.
    return known(domain, std::numeric_limits<std::int64_t>::min()).isp;
}

std::string RecipientRouter::last_known_site(const std::string& domain) const {
    return std::string(known(domain, std::numeric_limits<std::int64_t>::min()).site);
}

void RecipientRouter::want_lookup(const std::string& domain) {
    if (lookups_started_.insert(domain).second) wanted_.push_back(domain);
}

std::optional<Route> RecipientRouter::route(const QueuedMessage& message, const std::string& domain,
                                            std::int64_t now_unix) {
    const auto destination = known(domain, now_unix);
    if (!destination.isp) {
        want_lookup(domain);
        return std::nullopt;
    }
    const auto* isp = destination.isp;
    const policy::config::Pool& pool =
        isp->pool ? *isp->pool
                  : policy_->pool_for(message.header_pool(), recipient_domain(message.sender()),
                                      message.listener());
    const auto* source = &rotation_.next(pool);
    const auto wall_now = std::chrono::sys_seconds(std::chrono::seconds(now_unix));
    if (warmups_.spent(source->name, isp->name, wall_now) &&
        overflows(source->name, pool, now_unix)) {
        source = warm_source(pool, now_unix);
    }
    return Route{QueueKey{isp->name, source->name, std::string(destination.site)}, pool.name,
                 source->address, source->helo};
}

const policy::config::Source* RecipientRouter::warm_source(const policy::config::Pool& pool,
                                                           std::int64_t now_unix) {
    std::vector<const policy::config::Source*> warm;
    for (const auto& source : pool.sources) {
        if (policy_->is_warm(source.name, now_unix)) warm.push_back(&source);
    }
    if (warm.empty()) return nullptr;
    return warm[warm_turn_++ % warm.size()];
}

bool RecipientRouter::overflows(const std::string& source, const policy::config::Pool& pool,
                                std::int64_t now_unix) const {
    const auto* warming = policy_->warmup_of(source);
    if (!warming || warming->schedule->over_cap != policy::config::OverCap::warm_sources) {
        return false;
    }
    return std::any_of(pool.sources.begin(), pool.sources.end(),
                       [&](const auto& other) { return policy_->is_warm(other.name, now_unix); });
}

std::vector<std::string> RecipientRouter::take_wanted_lookups() {
    return std::exchange(wanted_, {});
}

void RecipientRouter::mx_known(const std::string& domain, const std::vector<std::string>& mx_hosts,
                               std::int64_t now_unix, std::int64_t valid_until_unix) {
    lookups_started_.erase(domain);
    RolledUp answer{{}, {}, valid_until_unix};
    if (const auto* isp = policy_->isp_by_mx(mx_hosts)) {
        answer.isp = isp->name;
    } else {
        answer.site = site_name(domain, mx_hosts);
    }
    rolled_up_.insert_or_assign(domain, std::move(answer));
    if (rolled_up_.size() >= prune_at_size_) forget_stale(now_unix);
}

void RecipientRouter::forget_stale(std::int64_t now_unix) {
    std::erase_if(rolled_up_, [&](const auto& entry) {
        return entry.second.valid_until_unix + kKeepStaleSeconds < now_unix;
    });
    // Amortised: the next scan after the table has doubled again.
    prune_at_size_ = std::max(kFirstPrune, 2 * rolled_up_.size());
}

}  // namespace sluice::daemon::queue
